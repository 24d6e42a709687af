// "Run" in a battle: the player's function called on the problem's visible examples, in
// the browser (the same workers as the pad), each answer compared with the expected one
// as JSON. Submitting is what the server judges, hidden tests included.
import { runInBrowser } from '../pad/run/run-in-browser';

export interface Example {
  input: unknown[];
  output: unknown;
}

export interface ExampleResult {
  input: unknown[];
  expected: unknown;
  actual: string;
  passed: boolean;
}

const MARK = '@@ringside-example@@';

function harness(language: string, code: string, fn: string, examples: Example[]): string {
  const cases = JSON.stringify(examples.map((e) => e.input));
  if (language === 'python')
    return `${code}
import json as __json
for __args in __json.loads(${JSON.stringify(cases)}):
    try:
        print(${JSON.stringify(MARK)} + __json.dumps(${fn}(*__args)))
    except Exception as __error:
        print(${JSON.stringify(MARK)} + "!" + type(__error).__name__ + ": " + str(__error))
`;
  return `${code}
;for (const __args of ${cases}) {
  try { console.log(${JSON.stringify(MARK)} + JSON.stringify(await ${fn}(...__args))); }
  catch (__error) { console.log(${JSON.stringify(MARK)} + '!' + String(__error)); }
}`;
}

export async function runExamples(
  language: string,
  code: string,
  fn: string,
  examples: Example[],
): Promise<{ results: ExampleResult[]; output: string; error: string | null }> {
  const run = runInBrowser(language, harness(language, code, fn, examples));
  const { output, error } = await run.result;
  const lines = output.split('\n');
  const answers = lines.filter((l) => l.startsWith(MARK)).map((l) => l.slice(MARK.length));
  const printed = lines
    .filter((l) => !l.startsWith(MARK))
    .join('\n')
    .trim();
  const results = examples.map((example, i) => {
    const actual = answers[i] ?? '(no answer)';
    let passed = false;
    try {
      passed = !actual.startsWith('!') && sameJson(JSON.parse(actual), example.output);
    } catch {
      passed = false;
    }
    return { input: example.input, expected: example.output, actual, passed };
  });
  return { results, output: printed, error };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
