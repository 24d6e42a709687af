// Sandbox benchmark (not a test): warm latency of a trivial program in each
// language, and runs per second with every worker busy. Prints a table and
// writes bench/results/sandbox.json.
//   npm run bench:sandbox            (defaults: 2 Python + 2 JavaScript workers)
//   SANDBOX_BENCH_RUNS=500 npm run bench:sandbox
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxPool, type Language, type RunRequest } from '../src/sandbox/index.js';

const RESULTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../bench/results',
);
const RUNS = Number(process.env.SANDBOX_BENCH_RUNS ?? 300);
const WARMUP = 30;
const SATURATION_RUNS = Number(process.env.SANDBOX_BENCH_SATURATION_RUNS ?? 600);
const PYTHON_WORKERS = Number(process.env.SANDBOX_BENCH_PYTHON_WORKERS ?? 2);
const JAVASCRIPT_WORKERS = Number(process.env.SANDBOX_BENCH_JAVASCRIPT_WORKERS ?? 2);

const PROGRAMS: Record<Language, string> = {
  python: 'print(1)',
  javascript: 'console.log(1)',
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function checkedRun(pool: SandboxPool, req: RunRequest): Promise<number> {
  const t0 = performance.now();
  const r = await pool.run(req);
  const took = performance.now() - t0;
  if (r.verdict !== 'ok' || r.stdout !== '1\n')
    throw new Error(`unexpected result: ${JSON.stringify(r)}`);
  return took;
}

interface Latency {
  language: Language;
  mode: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  executionTimeP50Ms: number;
}

/**
 * One run at a time: the time a caller waits for a warm worker to answer.
 * Back-to-back, each run also waits for a worker to finish wiping the previous
 * run's state; with a pause between runs (a more typical user) that wipe is
 * off the request path.
 */
async function latency(pool: SandboxPool, language: Language, pauseMs: number): Promise<Latency> {
  const req = { language, code: PROGRAMS[language] };
  for (let i = 0; i < WARMUP; i++) await checkedRun(pool, req);
  const times: number[] = [];
  const exec: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    const t0 = performance.now();
    const r = await pool.run(req);
    times.push(performance.now() - t0);
    exec.push(r.executionTime);
  }
  times.sort((a, b) => a - b);
  exec.sort((a, b) => a - b);
  return {
    language,
    mode: pauseMs > 0 ? `${pauseMs} ms apart` : 'back-to-back',
    runs: RUNS,
    p50Ms: round(percentile(times, 50)),
    p99Ms: round(percentile(times, 99)),
    meanMs: round(times.reduce((a, b) => a + b, 0) / times.length),
    executionTimeP50Ms: round(percentile(exec, 50)),
  };
}

interface Throughput {
  languages: string;
  runs: number;
  seconds: number;
  runsPerSecond: number;
}

/** Everything submitted at once, so every worker stays busy until the queue drains. */
async function throughput(pool: SandboxPool, languages: Language[]): Promise<Throughput> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: SATURATION_RUNS }, (_, i) => {
      const language = languages[i % languages.length]!;
      return checkedRun(pool, { language, code: PROGRAMS[language] });
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    languages: languages.join('+'),
    runs: SATURATION_RUNS,
    seconds: round(seconds, 3),
    runsPerSecond: round(SATURATION_RUNS / seconds, 1),
  };
}

async function main(): Promise<void> {
  const pool = new SandboxPool({
    pythonWorkers: PYTHON_WORKERS,
    javascriptWorkers: JAVASCRIPT_WORKERS,
    queueLimit: SATURATION_RUNS * 2,
    queueTimeoutMs: 120_000,
  });
  const bootStart = performance.now();
  await pool.ready();
  const warmUpMs = round(performance.now() - bootStart, 0);

  const latencies: Latency[] = [];
  for (const pauseMs of [0, 20]) {
    for (const language of ['python', 'javascript'] as const)
      latencies.push(await latency(pool, language, pauseMs));
  }
  const throughputs = [
    await throughput(pool, ['python']),
    await throughput(pool, ['javascript']),
    await throughput(pool, ['python', 'javascript']),
  ];
  const info = pool.info();
  await pool.close();

  console.log(
    `\nsandbox benchmark: ${PYTHON_WORKERS} Python + ${JAVASCRIPT_WORKERS} JavaScript workers, ${os.cpus().length} CPUs, node ${process.version}`,
  );
  console.log(
    `pool warm-up (all workers ready): ${warmUpMs} ms, network namespace: ${info.networkNamespace}\n`,
  );
  console.log('warm latency, one run at a time (print(1) / console.log(1))');
  console.table(
    latencies.map((l) => ({
      language: l.language,
      mode: l.mode,
      runs: l.runs,
      'p50 ms': l.p50Ms,
      'p99 ms': l.p99Ms,
      'mean ms': l.meanMs,
      'executionTime p50 ms': l.executionTimeP50Ms,
    })),
  );
  console.log('saturated pool (all runs submitted at once)');
  console.table(
    throughputs.map((t) => ({
      languages: t.languages,
      runs: t.runs,
      seconds: t.seconds,
      'runs/s': t.runsPerSecond,
    })),
  );

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    workers: { python: PYTHON_WORKERS, javascript: JAVASCRIPT_WORKERS },
    networkNamespace: info.networkNamespace,
    warmUpMs,
    latency: latencies,
    throughput: throughputs,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, 'sandbox.json');
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
