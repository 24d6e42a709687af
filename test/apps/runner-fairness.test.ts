// The denial of service of issue 11 over real sockets: 50 anonymous /appws
// connections of one address send 4 endless loops each (200 runs, no account). Past
// the address's cap the runs are refused at once in the protocol's error shape; a
// signed-in user's print(1) on another connection still answers at once; and closing
// the flood's connections takes its waiting runs out of the sandbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRunnerModule } from '../../src/apps/runner/index.js';
import { SandboxPool } from '../../src/sandbox/index.js';
import { startTestApp, type TestApp } from './context.js';
import { TestClient, type Json } from './ws-client.js';

let app: TestApp;
let pool: SandboxPool;
before(async () => {
  pool = new SandboxPool({ pythonWorkers: 2, javascriptWorkers: 0 });
  app = await startTestApp([createRunnerModule({ sandbox: pool })]);
  await pool.ready();
});
after(async () => {
  await app.stop();
  await pool.close();
});

const run = (code: string) => ({
  action: 'runCode',
  data: { language: 'python', code, mode: 'standalone' },
});

test('50 anonymous connections x 4 endless loops: the overflow is refused at once, a signed-in print(1) answers within 1 s', async () => {
  const flood = await Promise.all(
    Array.from({ length: 50 }, () => TestClient.connect(`${app.wsUrl}/devws`)),
  );
  const { token } = await app.createUser();
  const alice = await TestClient.connect(`${app.wsUrl}/appws?token=${token}`);
  const sent = performance.now();
  for (const client of flood) for (let r = 0; r < 4; r++) client.send(run('while True: pass'));

  // Answers come in request order per connection, so the refusals a connection gets
  // are its last runs; the address's first 64 runs are queued or running.
  const refusals: { message: Json; ms: number }[] = [];
  const collecting = Promise.all(
    flood.map(async (client, c) => {
      const accepted = Math.max(0, Math.min(4, 64 - 4 * c));
      if (accepted > 0) return; // its first answer is a run's, seconds away
      for (let r = 0; r < 4; r++) {
        const message = await client.next(undefined, 5000);
        refusals.push({ message, ms: performance.now() - sent });
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    alice.send(run(`print(${i})`));
    const answer = await alice.next(undefined, 15_000);
    times.push(performance.now() - t0);
    assert.equal(answer.action, 'output', JSON.stringify(answer));
    assert.equal(answer.data.output, `${i}\n`);
  }
  await collecting;
  const queuedBeforeClose = pool.info().languages[0]!.queued;
  await Promise.all(flood.map((client) => client.close()));
  await new Promise((r) => setTimeout(r, 200));

  assert.ok(Math.max(...times) < 1000, `print(1) took up to ${Math.max(...times).toFixed(0)} ms`);
  // Connections 16..49 had all 4 of their runs refused: 136 answers, each at once.
  assert.equal(refusals.length, 136);
  for (const { message, ms } of refusals) {
    assert.deepEqual(message, {
      action: 'error',
      error: 'Too many runs in progress: at most 64 waiting or running per address',
      details: {
        code: 'LIMIT',
        message: 'at most 64 sandbox jobs may wait or run per address',
        limit: 64,
        scope: 'address',
      },
    });
    assert.ok(ms < 3000, `refused after ${ms.toFixed(0)} ms`);
  }
  assert.ok(queuedBeforeClose >= 60, `the flood was queued (${queuedBeforeClose})`);
  assert.equal(pool.info().languages[0]!.queued, 0, 'closed connections left the queue');
  await alice.close();
});
