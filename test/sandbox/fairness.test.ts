// Fair scheduling on real workers: one address flooding the pool with endless loops
// from many connections does not hold up another user's print(1) nor a battle's
// judging; a full queue refuses the flood at once; run traffic from many users
// cannot take the workers kept for judging.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  SandboxOwnerLimitError,
  type JudgeRequest,
  type Language,
  type SandboxOwner,
  type SandboxPool,
} from '../../src/sandbox/index.js';
import { warmPool } from './fixture.js';

const HOSTILE_ADDRESS = '203.0.113.7';

interface Flood {
  /** requests refused at once (owner or address cap), with how long the refusal took */
  refused: { error: SandboxOwnerLimitError; ms: number }[];
  /** every request settled (after stop()) */
  settled: Promise<unknown[]>;
  /** drops the flood's waiting requests (its running ones end at their deadline) */
  stop(): void;
}

/** `connections` x `perConnection` endless loops from one address, all sent at once. */
function flood(
  pool: SandboxPool,
  language: Language,
  connections: number,
  perConnection: number,
): Flood {
  const controller = new AbortController();
  const refused: Flood['refused'] = [];
  const code = language === 'python' ? 'while True: pass' : 'for (;;) {}';
  const all: Promise<unknown>[] = [];
  for (let c = 0; c < connections; c++) {
    const owner: SandboxOwner = {
      kind: 'anonymous',
      key: `hostile-${c}`,
      address: HOSTILE_ADDRESS,
    };
    for (let r = 0; r < perConnection; r++) {
      const sent = performance.now();
      all.push(
        pool.run({ language, code, owner, signal: controller.signal }).then(
          (result) => result,
          (error: unknown) => {
            if (error instanceof SandboxOwnerLimitError)
              refused.push({ error, ms: performance.now() - sent });
            return error;
          },
        ),
      );
    }
  }
  return { refused, settled: Promise.all(all), stop: () => controller.abort() };
}

/** Wall time of each of `count` print(1) runs of one user, one after the other. */
async function printLatencies(
  pool: SandboxPool,
  language: Language,
  owner: SandboxOwner,
  count: number,
): Promise<number[]> {
  const code = language === 'python' ? 'print(1)' : 'console.log(1)';
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const result = await pool.run({ language, code, owner });
    times.push(performance.now() - t0);
    assert.equal(result.stdout, '1\n', JSON.stringify(result));
  }
  return times;
}

const ADD = (language: Language): JudgeRequest => ({
  language,
  code:
    language === 'python'
      ? 'def add(a, b):\n    return a + b'
      : 'function add(a, b) { return a + b }',
  function: 'add',
  tests: [
    { input: [1, 2], output: 3 },
    { input: [20, 22], output: 42, hidden: true },
  ],
  class: 'judge',
  owner: { kind: 'user', key: 'battle-player' },
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

describe('one address floods the pool (2 Python workers, default caps)', () => {
  let pool: SandboxPool;
  before(async () => {
    pool = await warmPool({ pythonWorkers: 2, javascriptWorkers: 0 });
  });
  after(() => pool.close());

  it("200 endless loops from 50 connections: over the address's cap refused at once; print(1) and a judging still answer fast", async () => {
    const hostile = flood(pool, 'python', 50, 4);
    await new Promise((r) => setTimeout(r, 300));
    const status = pool.info().languages[0]!;
    const times = await printLatencies(pool, 'python', { kind: 'user', key: 'alice' }, 20);
    const judgeStart = performance.now();
    const judged = await pool.judge(ADD('python'));
    const judgeMs = performance.now() - judgeStart;
    hostile.stop();
    const settled = await hostile.settled;

    assert.ok(Math.max(...times) < 1000, `print(1) took up to ${Math.max(...times).toFixed(0)} ms`);
    assert.equal(judged.verdict, 'Accepted');
    assert.ok(judgeMs < 2000, `judging took ${judgeMs.toFixed(0)} ms`);
    // Past the address's cap the flood was refused at once with the pool's own error.
    assert.equal(hostile.refused.length, 200 - 64);
    for (const { error, ms } of hostile.refused) {
      assert.equal(error.scope, 'address');
      assert.equal(error.limit, 64);
      // At once: not after the 10 s queue timeout (this machine may be busy).
      assert.ok(ms < 1000, `refused after ${ms.toFixed(0)} ms`);
    }
    assert.equal(status.busy, 1, 'the address held one of the two workers');
    assert.equal(status.queued, 63);
    // Each hostile request ended one of three ways: its deadline, refused, or dropped.
    const ends = settled.map((r) =>
      r instanceof Error ? r.constructor.name : (r as { verdict: string }).verdict,
    );
    assert.deepEqual([...new Set(ends)].sort(), [
      'SandboxCancelledError',
      'SandboxOwnerLimitError',
      'timeout',
    ]);
    console.log(
      `python print(1) under the flood: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms; judge ${judgeMs.toFixed(0)} ms`,
    );
  });
});

describe('the flood really queued (2 JavaScript workers, caps raised)', () => {
  let pool: SandboxPool;
  before(async () => {
    pool = await warmPool({
      pythonWorkers: 0,
      javascriptWorkers: 2,
      queueLimit: 1000,
      fairness: { maxJobsPerAddress: 1000 },
    });
  });
  after(() => pool.close());

  it('200 queued endless loops of one address: another user is served by turns, at once', async () => {
    const hostile = flood(pool, 'javascript', 50, 4);
    await new Promise((r) => setTimeout(r, 300));
    const queued = pool.info().languages[1]!.queued;
    const times = await printLatencies(pool, 'javascript', { kind: 'user', key: 'alice' }, 20);
    // An anonymous user at another address is its own party too.
    const other = await printLatencies(
      pool,
      'javascript',
      { kind: 'anonymous', key: 'c', address: '192.0.2.50' },
      3,
    );
    const judgeStart = performance.now();
    const judged = await pool.judge(ADD('javascript'));
    const judgeMs = performance.now() - judgeStart;
    hostile.stop();
    await hostile.settled;

    const worst = Math.max(...times, ...other);
    assert.ok(worst < 1000, `console.log(1) took up to ${worst.toFixed(0)} ms`);
    assert.equal(judged.verdict, 'Accepted');
    assert.ok(judgeMs < 2000, `judging took ${judgeMs.toFixed(0)} ms`);
    assert.equal(hostile.refused.length, 0);
    assert.equal(queued, 199, 'the whole flood was queued');
  });
});

describe('the judge share (3 JavaScript workers: one kept for judging)', () => {
  let pool: SandboxPool;
  before(async () => {
    pool = await warmPool({ pythonWorkers: 0, javascriptWorkers: 3 });
  });
  after(() => pool.close());

  it('run traffic from ten signed-in users holds two workers at most; a judging gets the third at once', async () => {
    const controller = new AbortController();
    const runs = Array.from({ length: 30 }, (_, i) =>
      pool
        .run({
          language: 'javascript',
          code: 'for (;;) {}',
          timeoutMs: 1500,
          owner: { kind: 'user', key: `user-${i % 10}` },
          signal: controller.signal,
        })
        .catch((error: unknown) => error),
    );
    await new Promise((r) => setTimeout(r, 300));
    const status = pool.info().languages[1]!;
    const t0 = performance.now();
    const judged = await pool.judge(ADD('javascript'));
    const judgeMs = performance.now() - t0;
    controller.abort();
    await Promise.all(runs);

    assert.equal(judged.verdict, 'Accepted');
    assert.ok(judgeMs < 1000, `judging took ${judgeMs.toFixed(0)} ms`);
    assert.equal(status.judgeWorkers, 1);
    assert.equal(status.busy, 2, 'run jobs held two workers, the third stayed free');
    assert.equal(status.queuedByClass.run, 28);
  });
});
