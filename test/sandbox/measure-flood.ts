// By hand (not part of the suite): print(1) latency of a signed-in user while one
// address keeps the pool flooded with endless loops from many connections.
//   node dist/test/sandbox/measure-flood.js [connections] [runsPerConnection] [samples] [raised]
// `raised` lifts the address cap and the queue limit so the whole flood is queued.
import { setMaxListeners } from 'node:events';
import { SandboxPool, type SandboxPoolOptions } from '../../src/sandbox/index.js';

const [connections = 50, perConnection = 4, samples = 30] = process.argv
  .slice(2, 5)
  .map((a) => Number(a));
const raised = process.argv[5] === 'raised';

const options: SandboxPoolOptions = { pythonWorkers: 2, javascriptWorkers: 0 };
if (raised) {
  options.queueLimit = 5000;
  options.fairness = { maxJobsPerAddress: 5000 };
}
const pool = new SandboxPool(options);
await pool.ready();

const controller = new AbortController();
setMaxListeners(0, controller.signal); // one signal for the whole flood
const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
// Sustained: each of the flood's runs is sent again as soon as it ends (after 100 ms
// when it was refused), so the queue stays full while the samples are taken.
const slot = async (owner: string): Promise<void> => {
  while (!controller.signal.aborted) {
    try {
      const result = await pool.run({
        language: 'python',
        code: 'while True: pass',
        owner: { kind: 'anonymous', key: owner, address: '203.0.113.7' },
        signal: controller.signal,
      });
      count(result.verdict);
    } catch (error) {
      count((error as Error).name);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};
const flood: Promise<void>[] = [];
for (let c = 0; c < connections; c++)
  for (let r = 0; r < perConnection; r++) flood.push(slot(`hostile-${c}`));
await new Promise((r) => setTimeout(r, 500));
const queued = pool.info().languages[0]!.queued;

const times: number[] = [];
const failures: string[] = [];
for (let i = 0; i < samples; i++) {
  const t0 = performance.now();
  try {
    const result = await pool.run({
      language: 'python',
      code: 'print(1)',
      owner: { kind: 'user', key: 'alice' },
    });
    if (result.stdout !== '1\n') failures.push(`wrong output ${JSON.stringify(result)}`);
  } catch (error) {
    failures.push((error as Error).name);
  }
  times.push(performance.now() - t0);
}
controller.abort();
await Promise.all(flood);
await pool.close();

const sorted = [...times].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
console.log(
  JSON.stringify({
    flood: connections * perConnection,
    connections,
    raised,
    queuedDuringSamples: queued,
    samples,
    p50Ms: Number(pct(0.5).toFixed(1)),
    p99Ms: Number(pct(0.99).toFixed(1)),
    maxMs: Number(sorted.at(-1)!.toFixed(1)),
    failures: failures.length,
    failureKinds: [...new Set(failures)],
    floodOutcomes: Object.fromEntries(outcomes),
  }),
);
