// The sandbox for operators: /readyz's `sandbox` field through the pool's life
// (idle, warming, ready, closed), the log line when the pool is warm, and the
// ringside_sandbox_* series of /metrics after runs that end every way.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { registerHealthRoutes } from '../../src/http/health.js';
import { registerMetricsRoute } from '../../src/http/metrics.js';
import { addSandboxMetrics } from '../../src/http/sandbox-metrics.js';
import { SandboxPool } from '../../src/sandbox/index.js';

function recordingLogger() {
  const lines: { msg: string | undefined; obj: object }[] = [];
  const log = (obj: object, msg?: string) => lines.push({ msg, obj });
  return { lines, logger: { info: log, warn: log, error: log, debug: log } };
}

/** The value of one series line, e.g. `name{a="b"}`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('sandbox operations', () => {
  it('/readyz reports the pool: idle, warming, ready (logged once), closed; the status stays 200', async () => {
    const { lines, logger } = recordingLogger();
    const pool = new SandboxPool({ pythonWorkers: 0, javascriptWorkers: 2, logger });
    const fastify = Fastify({ serverFactory: (h) => http.createServer(h), logger: false });
    registerHealthRoutes(
      fastify,
      async () => null,
      () => pool.state(),
    );
    const readyz = async () => {
      const response = await fastify.inject({ url: '/readyz' });
      assert.equal(response.statusCode, 200);
      return response.json() as { status: string; sandbox: string };
    };
    try {
      assert.deepEqual(await readyz(), { status: 'ready', sandbox: 'idle' });
      pool.start();
      assert.equal((await readyz()).sandbox, 'warming');
      await pool.ready();
      assert.equal((await readyz()).sandbox, 'ready');
      await new Promise((r) => setImmediate(r));
      const warm = lines.filter((l) => l.msg === 'sandbox pool warm');
      assert.equal(warm.length, 1);
      assert.equal(typeof (warm[0]!.obj as { warmMs: unknown }).warmMs, 'number');
      // A replaced worker does not send the pool back to warming.
      process.kill(pool.info().languages[1]!.pids[0]!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await readyz()).sandbox, 'ready');
      // Not ready for another reason: 503 with the reason, the field still there.
      const down = Fastify({ serverFactory: (h) => http.createServer(h), logger: false });
      registerHealthRoutes(
        down,
        async () => 'database unavailable',
        () => pool.state(),
      );
      const response = await down.inject({ url: '/readyz' });
      assert.equal(response.statusCode, 503);
      assert.deepEqual(response.json(), { error: 'database unavailable', sandbox: 'ready' });
    } finally {
      await pool.close();
    }
    assert.equal((await readyz()).sandbox, 'closed');
  });

  it('/metrics: queue length per class, wait and run histograms, outcomes, workers, restarts', async () => {
    const pool = new SandboxPool({
      pythonWorkers: 0,
      javascriptWorkers: 1,
      fairness: { maxJobsPerOwner: 1 },
    });
    const registry = new Registry();
    addSandboxMetrics(registry, pool);
    const fastify = Fastify({ serverFactory: (h) => http.createServer(h), logger: false });
    registerMetricsRoute(fastify, registry);
    const scrape = async () => (await fastify.inject({ url: '/metrics' })).body;
    try {
      await pool.ready();
      const owner = { kind: 'anonymous' as const, key: 'c1', address: '192.0.2.1' };
      const hog = pool.run({ language: 'javascript', code: 'for (;;) {}', timeoutMs: 300, owner });
      // The same owner again: over its cap of 1, refused.
      await assert.rejects(pool.run({ language: 'javascript', code: '1', owner }), {
        code: 'LIMIT',
      });
      const waiting = pool.run({ language: 'javascript', code: 'console.log(1)' });
      await new Promise((r) => setTimeout(r, 50));
      const during = await scrape();
      assert.equal(
        sample(during, 'ringside_sandbox_queue_length{language="javascript",class="run"}'),
        1,
      );
      assert.equal(
        sample(during, 'ringside_sandbox_queue_length{language="javascript",class="judge"}'),
        0,
      );
      assert.equal(
        sample(during, 'ringside_sandbox_workers{language="javascript",state="busy"}'),
        1,
      );
      assert.equal((await hog).verdict, 'timeout');
      assert.equal((await waiting).stdout, '1\n');
      await pool.judge({
        language: 'javascript',
        code: 'function f() { return 2 }',
        function: 'f',
        tests: [{ input: [], output: 1 }],
        class: 'judge',
      });
      await assert.rejects(pool.run({ language: 'javascript', code: 'x'.repeat(300_000) }), {
        code: 'BAD_REQUEST',
      });
      process.kill(pool.info().languages[1]!.pids[0]!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));

      const text = await scrape();
      const jobs = (cls: string, kind: string, outcome: string) =>
        sample(
          text,
          `ringside_sandbox_jobs_total{language="javascript",class="${cls}",kind="${kind}",outcome="${outcome}"}`,
        );
      assert.equal(jobs('run', 'run', 'timeout'), 1);
      assert.equal(jobs('run', 'run', 'ok'), 1);
      assert.equal(jobs('run', 'run', 'limit'), 1);
      assert.equal(jobs('run', 'run', 'bad_request'), 1);
      assert.equal(jobs('judge', 'judge', 'wrong_answer'), 1);
      // Waited and ran: the three that got a worker.
      assert.equal(
        sample(text, 'ringside_sandbox_wait_seconds_count{language="javascript",class="run"}'),
        2,
      );
      assert.equal(
        sample(text, 'ringside_sandbox_run_seconds_count{language="javascript",class="judge"}'),
        1,
      );
      // The queued run waited for the hog (300 ms of CPU): not in the first buckets.
      assert.equal(
        sample(
          text,
          'ringside_sandbox_wait_seconds_bucket{le="0.1",language="javascript",class="run"}',
        ),
        1,
      );
      assert.equal(
        sample(text, 'ringside_sandbox_worker_restarts_total{language="javascript"}'),
        1,
      );
      for (const type of [
        'ringside_sandbox_queue_length gauge',
        'ringside_sandbox_workers gauge',
        'ringside_sandbox_worker_restarts_total counter',
        'ringside_sandbox_wait_seconds histogram',
        'ringside_sandbox_run_seconds histogram',
        'ringside_sandbox_jobs_total counter',
      ])
        assert.ok(text.includes(`# TYPE ${type}\n`), `missing # TYPE ${type}`);
    } finally {
      await pool.close();
    }
  });
});
