// The runner's code execution over real sockets, on a real sandbox (2 Python workers,
// 1 JavaScript, warmed once for the file): runCode's output shape on /appws and the
// details on /devws, answers in request order, runCode and judge tasks, 50 concurrent
// runs from 10 connections, and a hostile program that does not hold up other users.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRunnerModule } from '../../src/apps/runner/index.js';
import { SandboxPool } from '../../src/sandbox/index.js';
import { startTestApp, type TestApp } from './context.js';
import { TestClient, type Json } from './ws-client.js';

let app: TestApp;
let pool: SandboxPool;
before(async () => {
  pool = new SandboxPool({ pythonWorkers: 2, javascriptWorkers: 1 });
  app = await startTestApp([createRunnerModule({ sandbox: pool })]);
  await pool.ready();
});
after(async () => {
  await app.stop();
  await pool.close();
});

const connect = (route: 'appws' | 'devws') => TestClient.connect(`${app.wsUrl}/${route}`);
const run = (language: string, code: string, extra: Json = {}) => ({
  action: 'runCode',
  data: { language, code, mode: 'standalone', ...extra },
});
const OUTPUT_KEYS = ['output', 'error', 'executionTime', 'memoryUsed'];

function assertOutput(message: Json, output: string, error: string | null | RegExp): void {
  assert.equal(message.action, 'output', JSON.stringify(message));
  assert.deepEqual(Object.keys(message), ['action', 'data']);
  assert.equal(message.data.output, output);
  if (error instanceof RegExp) assert.match(message.data.error, error);
  else assert.equal(message.data.error, error);
  assert.equal(typeof message.data.executionTime, 'number');
  assert.ok(message.data.executionTime >= 0);
  assert.equal(typeof message.data.memoryUsed, 'number');
  assert.ok(message.data.memoryUsed > 0);
}

describe('runCode', () => {
  test('/appws: {output, error, executionTime, memoryUsed} and nothing else, for each kind of ending', async () => {
    const client = await connect('appws');
    const cases: [Json, string, string | null | RegExp][] = [
      [run('python', 'print("hello")\nprint(6 * 7)'), 'hello\n42\n', null],
      [run('javascript', 'console.log("hi", 1 + 1)'), 'hi 2\n', null],
      // What was printed before the error stays; the error is one line, with the line number.
      [
        run('python', 'print("before")\ndef f():\n    return 1 / 0\nf()'),
        'before\n',
        'Runtime error: ZeroDivisionError: division by zero (line 3)',
      ],
      [
        run('javascript', 'console.log("x");\nnull.y'),
        'x\n',
        /^Runtime error: TypeError: .* \(line 2\)$/,
      ],
      [run('python', 'print(1'), '', /^Compilation error: SyntaxError: .* \(line 1\)$/],
      [run('javascript', 'let = ;'), '', /^Compilation error: SyntaxError: /],
      // stderr follows stdout in `output`.
      [
        run('python', 'import sys\nprint("out")\nprint("err", file=sys.stderr)'),
        'out\nerr\n',
        null,
      ],
      [run('javascript', 'console.error("e"); console.log("o")'), 'o\ne\n', null],
      // cluster runs here until the scale-out queue exists; stdin is an extra.
      [run('python', 'print(input()[::-1])', { mode: 'cluster', stdin: 'abc\n' }), 'cba\n', null],
      [run('javascript', 'while (true) {}', { timeoutMs: 200 }), '', 'Time limit exceeded'],
    ];
    for (const [request, output, error] of cases) {
      client.send(request);
      const message = await client.next(undefined, 10_000);
      assertOutput(message, output, error);
      assert.deepEqual(Object.keys(message.data), OUTPUT_KEYS);
    }
    await client.close();
  });

  test('/devws: the same output plus details (verdict, streams, full traceback, mode, where it ran)', async () => {
    const client = await connect('devws');
    client.send(
      run('python', 'import sys\nprint("o")\nsys.stderr.write("e")\nraise ValueError("bad")', {
        mode: 'cluster',
      }),
    );
    const message = await client.next(undefined, 10_000);
    assertOutput(message, 'o\ne', 'Runtime error: ValueError: bad (line 4)');
    const { details } = message.data;
    assert.equal(details.verdict, 'runtime_error');
    assert.equal(details.stdout, 'o\n');
    assert.equal(details.stderr, 'e');
    assert.match(
      details.traceback,
      /^Traceback \(most recent call last\):\n {2}File "main\.py", line 4/,
    );
    assert.equal(details.truncated, false);
    assert.equal(details.mode, 'cluster');
    assert.equal(details.executedOn, 'local');
    assert.ok(details.wallTimeMs >= message.data.executionTime);
    await client.close();
  });

  test('several runs on one connection: answers come in the order asked, refusals included', async () => {
    const client = await connect('appws');
    // The first takes longest (a busy loop), the third is refused at once.
    client.send(
      run('javascript', 'let s = 0; for (let i = 0; i < 3e6; i++) s += i; console.log("slow")'),
    );
    client.send(run('python', 'print("fast")'));
    client.send(run('cobol', 'DISPLAY 1'));
    client.send(run('javascript', 'console.log("last")'));
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await client.next(undefined, 10_000));
    assert.deepEqual(
      answers.map((a) => a.data?.output ?? a.error),
      ['slow\n', 'fast\n', 'Invalid data for runCode', 'last\n'],
    );
    await client.close();
  });
});

describe('tasks that run code', () => {
  const updates = async (client: TestClient, taskId: string) => {
    const got: Json[] = [];
    for (;;) {
      const m = await client.next(
        (x) => x.action === 'taskUpdate' && x.data.taskId === taskId,
        10_000,
      );
      got.push(m.data);
      if (m.data.status !== 'running') return got;
    }
  };

  test('runCode: running 0 then completed 1 with the output object; a failing program fails the task', async () => {
    const client = await connect('appws');
    client.send({
      action: 'startTasks',
      data: {
        tasks: [
          {
            id: 'ok',
            action: 'runCode',
            params: { language: 'python', code: 'print(2 ** 10)', mode: 'standalone' },
          },
          {
            id: 'bad',
            action: 'runCode',
            params: { language: 'javascript', code: 'throw new Error("no")', mode: 'standalone' },
          },
          { id: 'nap', action: 'sleep', params: { ms: 100 } },
        ],
      },
    });
    const ok = await updates(client, 'ok');
    assert.deepEqual(
      ok.map((u) => [u.status, u.progress]),
      [
        ['running', 0],
        ['completed', 1],
      ],
    );
    assertOutput({ action: 'output', data: ok[1].result }, '1024\n', null);
    assert.deepEqual(Object.keys(ok[1].result), OUTPUT_KEYS);
    const bad = await updates(client, 'bad');
    assert.deepEqual(
      bad.map((u) => [u.status, u.progress]),
      [
        ['running', 0],
        ['failed', 0],
      ],
    );
    assert.match(bad[1].result.error, /^Runtime error: Error: no/);
    assert.equal(bad[1].result.output, '');
    assert.equal((await updates(client, 'nap')).at(-1).status, 'completed');
    await client.close();
  });

  test('judge: the judge result, hidden tests reduced to pass/fail; /devws adds the run details to runCode results', async () => {
    const client = await connect('devws');
    client.send({
      action: 'startTasks',
      data: {
        tasks: [
          {
            id: 'j',
            action: 'judge',
            params: {
              language: 'python',
              code: 'def add(a, b):\n    return a + b if a < 100 else 0',
              function: 'add',
              tests: [
                { input: [1, 2], output: 3 },
                { input: [500, 1], output: 501, hidden: true },
              ],
            },
          },
          {
            id: 'r',
            action: 'runCode',
            params: { language: 'javascript', code: 'console.log(1)', mode: 'cluster' },
          },
          { id: 'bad', action: 'judge', params: { language: 'python', code: '', tests: [] } },
        ],
      },
    });
    const judged = await updates(client, 'j');
    assert.deepEqual(
      judged.map((u) => [u.status, u.progress]),
      [
        ['running', 0],
        ['completed', 1],
      ],
    );
    const result = judged[1].result;
    assert.equal(result.verdict, 'Wrong Answer');
    assert.equal(result.testsPassed, 1);
    assert.equal(result.totalTests, 2);
    assert.equal(result.firstFailedTest, 1);
    assert.equal(result.error, 'Wrong Answer on hidden test 2');
    assert.deepEqual(result.results[0].actual, 3);
    assert.deepEqual(Object.keys(result.results[1]).sort(), [
      'executionTime',
      'hidden',
      'index',
      'passed',
      'verdict',
    ]);
    assert.ok(!JSON.stringify(result).includes('501'), 'the hidden expected value stays hidden');
    const r = (await updates(client, 'r')).at(-1);
    assert.equal(r.result.output, '1\n');
    assert.equal(r.result.details.verdict, 'ok');
    assert.equal(r.result.details.mode, 'cluster');
    const bad = (await updates(client, 'bad')).at(-1);
    assert.equal(bad.status, 'failed');
    assert.equal(bad.result.error, 'Invalid params for judge');
    assert.deepEqual(bad.result.details.issues.map((i: Json) => i.path).sort(), [
      'params.function',
      'params.tests',
    ]);
    await client.close();
  });
});

test('50 concurrent runCode from 10 connections, Python and JavaScript mixed: each answered with its own output', async () => {
  const clients = await Promise.all(
    Array.from({ length: 10 }, (_, i) => connect(i % 2 ? 'devws' : 'appws')),
  );
  const expected: string[][] = clients.map(() => []);
  clients.forEach((client, c) => {
    for (let r = 0; r < 5; r++) {
      const token = `c${c}r${r}`;
      const python = (c + r) % 2 === 0;
      // Each program computes its answer, so a mixed-up reply cannot pass by accident.
      client.send(
        python
          ? run('python', `print("${token}", sum(range(${c * 10 + r})))`)
          : run('javascript', `console.log("${token}", ${c * 10 + r} * 3)`),
      );
      const n = c * 10 + r;
      expected[c]!.push(python ? `${token} ${(n * (n - 1)) / 2}\n` : `${token} ${n * 3}\n`);
    }
  });
  const answers = await Promise.all(
    clients.map(async (client) => {
      const got = [];
      for (let r = 0; r < 5; r++) got.push(await client.next(undefined, 20_000));
      return got;
    }),
  );
  answers.forEach((got, c) => {
    for (const message of got) assertOutput(message, message.data?.output, null);
    assert.deepEqual(
      got.map((m) => m.data.output),
      expected[c],
    );
  });
  await Promise.all(clients.map((client) => client.close()));
});

test("a hostile `while True: pass` ends at its deadline while another user's print(1) finishes at once", async () => {
  const hostile = await connect('appws');
  // Signed in: anonymous connections of one address (all of this test's) are one party.
  const { token } = await app.createUser();
  const other = await TestClient.connect(`${app.wsUrl}/appws?token=${token}`);
  const started = performance.now();
  hostile.send(run('python', 'while True: pass', { timeoutMs: 1500 }));
  const hostileAnswer = hostile
    .next(undefined, 15_000)
    .then((m) => ({ m, at: performance.now() - started }));
  await new Promise((r) => setTimeout(r, 200));
  const times: number[] = [];
  for (const request of [run('python', 'print(1)'), run('javascript', 'console.log(1)')]) {
    const sent = performance.now();
    other.send(request);
    assertOutput(await other.next(undefined, 5000), '1\n', null);
    times.push(performance.now() - sent);
  }
  const { m, at } = await hostileAnswer;
  assertOutput(m, '', 'Time limit exceeded');
  assert.ok(m.data.executionTime >= 1400, `hostile ran ${m.data.executionTime} ms`);
  assert.ok(at >= 1400);
  // Normal time: well under the hostile program's deadline (a loaded 2-core machine
  // still answers print(1) in tens of ms).
  for (const t of times)
    assert.ok(t < 1000, `print(1) took ${t.toFixed(0)} ms while the hostile run was going`);
  assert.ok(200 + times[0]! + times[1]! < at, 'answered before the hostile run ended');
  await hostile.close();
  await other.close();
});
