// Workers dying under the pool: a worker killed in the middle of a run or of a
// judging (its job gets a verdict, not a hang; the queue flows on to the
// replacement), and a worker that does not start within startupTimeoutMs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SandboxPool, type SandboxStatus } from '../../src/sandbox/index.js';
import { alive, warmPool } from './fixture.js';

async function waitFor(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const js = (pool: SandboxPool): SandboxStatus => pool.info().languages[1]!;

describe('a worker killed mid-run', () => {
  it('the run gets a verdict at once, the queued run is served by the replacement, the pool refills', async () => {
    const pool = await warmPool({ pythonWorkers: 0, javascriptWorkers: 1 });
    try {
      const [pid] = js(pool).pids;
      const running = pool.run({ language: 'javascript', code: 'for (;;) {}', timeoutMs: 8000 });
      const queued = pool.run({ language: 'javascript', code: 'console.log("after")' });
      await waitFor('the run is on the worker', () => js(pool).busy === 1 && js(pool).queued === 1);
      const t0 = performance.now();
      process.kill(pid!, 'SIGKILL');
      const result = await running;
      const answeredMs = performance.now() - t0;
      assert.equal(result.verdict, 'runtime_error');
      assert.match(result.error ?? '', /sandbox worker crashed/);
      assert.ok(answeredMs < 2000, `answered ${answeredMs.toFixed(0)} ms after the kill`);
      assert.equal((await queued).stdout, 'after\n');
      const status = js(pool);
      assert.equal(status.restarts, 1);
      assert.equal(status.ready, 1);
      assert.equal(status.pids.length, 1);
      assert.notEqual(status.pids[0], pid);
      assert.ok(!alive(pid));
    } finally {
      await pool.close();
    }
  });

  it('a judging keeps the tests finished before the kill; the one in progress is a runtime error', async () => {
    const pool = await warmPool({ pythonWorkers: 0, javascriptWorkers: 1 });
    try {
      const [pid] = js(pool).pids;
      const judging = pool.judge({
        language: 'javascript',
        code: 'function f(n) { if (n === 2) for (;;) {} return n }',
        function: 'f',
        tests: [
          { input: [1], output: 1 },
          { input: [2], output: 2 },
          { input: [3], output: 3 },
        ],
        timeoutMs: 8000,
        class: 'judge',
      });
      await waitFor('the judging is on the worker', () => js(pool).busy === 1);
      // Long enough for the first test to be reported, well before the 8 s deadline.
      await new Promise((r) => setTimeout(r, 1500));
      process.kill(pid!, 'SIGKILL');
      const result = await judging;
      assert.equal(result.verdict, 'Runtime Error');
      assert.deepEqual(
        result.results.map((r) => r.verdict),
        ['Accepted', 'Runtime Error', 'Not Run'],
      );
      assert.equal(result.testsPassed, 1);
      await waitFor('the pool refilled', () => js(pool).ready === 1);
      assert.equal(
        (await pool.run({ language: 'javascript', code: 'console.log(2)' })).stdout,
        '2\n',
      );
    } finally {
      await pool.close();
    }
  });
});

describe('the only worker replaced', () => {
  it('a request arriving meanwhile waits for the replacement to start, not just queueTimeoutMs', async () => {
    // Starting a worker process takes far more than 20 ms.
    const pool = await warmPool({ pythonWorkers: 0, javascriptWorkers: 1, queueTimeoutMs: 20 });
    try {
      const [pid] = js(pool).pids;
      process.kill(pid!, 'SIGKILL');
      await waitFor('the worker is gone', () => js(pool).ready === 0);
      const result = await pool.run({ language: 'javascript', code: 'console.log("new")' });
      assert.equal(result.stdout, 'new\n');
      assert.equal(js(pool).restarts, 1);
    } finally {
      await pool.close();
    }
  });
});

describe('start-up', () => {
  it('kills a worker that is not warm within startupTimeoutMs (one timeout for both)', async () => {
    // A Python worker needs seconds to load Pyodide: 300 ms is never enough.
    const pool = new SandboxPool({ pythonWorkers: 1, javascriptWorkers: 0, startupTimeoutMs: 300 });
    try {
      pool.start();
      await waitFor('a worker is starting', () => pool.info().languages[0]!.pids.length === 1);
      const [pid] = pool.info().languages[0]!.pids;
      await waitFor('the slow worker was killed', () => !alive(pid), 3000);
      await assert.rejects(pool.run({ language: 'python', code: 'print(1)' }), {
        code: 'UNAVAILABLE',
      });
      await waitFor('the language is marked unavailable', () => pool.state() === 'unavailable');
    } finally {
      await pool.close();
    }
  });
});

describe('one signal for many waiting requests', () => {
  it('20 queued runs of one connection: one abort drops them all, with no listener-leak warning', async () => {
    const pool = await warmPool({ pythonWorkers: 0, javascriptWorkers: 1 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const runs = Array.from({ length: 20 }, (_, i) =>
        pool
          .run({
            language: 'javascript',
            code: i === 0 ? 'for (;;) {}' : 'console.log(1)',
            timeoutMs: 500,
            signal: controller.signal,
          })
          .then(
            (r) => r.verdict,
            (error: { code?: string }) => error.code,
          ),
      );
      await waitFor('19 waiting', () => js(pool).queued === 19);
      controller.abort();
      const ends = await Promise.all(runs);
      assert.deepEqual(ends, ['timeout', ...Array<string>(19).fill('CANCELLED')]);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        warnings.map((w) => w.name),
        [],
      );
    } finally {
      process.off('warning', onWarning);
      await pool.close();
    }
  });
});
