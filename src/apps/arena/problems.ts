// The problem bank: one JSON file per problem in a directory (the built-in bank in
// <repo>/problems, or `--problems DIR`, which replaces it). A file that is not a valid
// problem is reported by name and skipped; the rest load.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SANDBOX_LIMITS } from '../../sandbox/index.js';
import { DIFFICULTIES, type ArenaLanguage, type Difficulty } from './protocol.js';

/** <repo>/problems (from dist/src/apps/arena or src/apps/arena alike). */
export const BUILTIN_PROBLEMS_DIR = findBuiltinDir();

function findBuiltinDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'problems');
    if (existsDir(candidate) && existsFile(path.join(dir, 'package.json'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('problems');
}

const testSchema = z.object({
  input: z.array(z.unknown()).max(64),
  output: z.unknown().refine((v) => v !== undefined, 'output is required'),
  hidden: z.boolean().optional(),
});

export const problemSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'id: 1-64 lower-case letters, digits or -'),
  title: z.string().trim().min(1).max(200),
  difficulty: z.enum(DIFFICULTIES),
  description: z.string().min(1).max(20_000),
  /** What the judge calls: a global function, or `Class.method`. */
  function: z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/, 'function: an identifier'),
  starter: z.object({ python: z.string().max(20_000), javascript: z.string().max(20_000) }),
  tests: z.array(testSchema).min(1).max(SANDBOX_LIMITS.maxTests),
  /** The judge's CPU limit per test (ms). */
  timeLimitMs: z.number().int().min(100).max(SANDBOX_LIMITS.maxTimeoutMs).optional(),
  /** How long a battle on this problem lasts (s); default by difficulty. */
  battleSeconds: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .optional(),
});

export type Problem = z.infer<typeof problemSchema>;

export interface LoadReport {
  problems: Problem[];
  /** Files that were skipped, with the reason. */
  rejected: Array<{ file: string; reason: string }>;
}

/** Reads every `*.json` of `dir` (not recursive). Throws only when `dir` cannot be read. */
export function loadProblemDir(dir: string): LoadReport {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read the problems directory ${dir}: ${reason}`);
  }
  names.sort();
  const problems: Problem[] = [];
  const rejected: LoadReport['rejected'] = [];
  const ids = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = parseProblemFile(file);
    if (!result.ok) {
      rejected.push({ file: name, reason: result.reason });
      continue;
    }
    const other = ids.get(result.problem.id);
    if (other !== undefined) {
      rejected.push({
        file: name,
        reason: `duplicate id "${result.problem.id}" (also in ${other})`,
      });
      continue;
    }
    ids.set(result.problem.id, name);
    problems.push(result.problem);
  }
  return { problems, rejected };
}

function parseProblemFile(
  file: string,
): { ok: true; problem: Problem } | { ok: false; reason: string } {
  let text: string;
  try {
    if (statSync(file).size > 8 * 1024 * 1024) return { ok: false, reason: 'larger than 8 MiB' };
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${error instanceof Error ? error.message : error}` };
  }
  const parsed = problemSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, reason: issues.join('; ') };
  }
  if (JSON.stringify(parsed.data.tests).length > SANDBOX_LIMITS.maxTestDataBytes)
    return { ok: false, reason: 'tests larger than the judge accepts' };
  return { ok: true, problem: parsed.data };
}

/** The loaded problems, by id and by difficulty. */
export class ProblemBank {
  private readonly byId = new Map<string, Problem>();

  constructor(problems: Problem[]) {
    for (const problem of problems) this.byId.set(problem.id, problem);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Problem | undefined {
    return this.byId.get(id);
  }

  list(difficulty?: Difficulty): Problem[] {
    const all = [...this.byId.values()];
    return difficulty === undefined ? all : all.filter((p) => p.difficulty === difficulty);
  }

  /** A random problem of that difficulty, or undefined when there is none. */
  pick(difficulty: Difficulty, random: () => number = Math.random): Problem | undefined {
    const candidates = this.list(difficulty);
    return candidates[Math.floor(random() * candidates.length)];
  }
}

/** What GET /api/problems lists. */
export function problemSummary(problem: Problem) {
  return {
    id: problem.id,
    title: problem.title,
    difficulty: problem.difficulty,
    totalTests: problem.tests.length,
  };
}

/** A problem without its hidden tests: GET /api/problems/<id>. */
export function problemDetail(problem: Problem) {
  return {
    id: problem.id,
    title: problem.title,
    difficulty: problem.difficulty,
    description: problem.description,
    function: problem.function,
    starter: problem.starter,
    examples: visibleTests(problem),
    totalTests: problem.tests.length,
    timeLimitMs: problem.timeLimitMs ?? null,
  };
}

/** The problem as a battle shows it to one player: their language's starter only. */
export function battleProblem(problem: Problem, language: ArenaLanguage) {
  return {
    id: problem.id,
    title: problem.title,
    difficulty: problem.difficulty,
    description: problem.description,
    function: problem.function,
    starter: problem.starter[language],
    examples: visibleTests(problem),
    totalTests: problem.tests.length,
  };
}

function visibleTests(problem: Problem): Array<{ input: unknown[]; output: unknown }> {
  return problem.tests
    .filter((test) => test.hidden !== true)
    .map((test) => ({ input: test.input, output: test.output }));
}

function existsDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function existsFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
