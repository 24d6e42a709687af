// End to end on `ringside serve` (a real child process, sandbox lazy: workers warm on
// the first run): /appws and /devws are served, the first runs wait for a warm worker
// instead of failing, and the leaderboard reaches both routes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { refusal, TestClient } from './ws-client.js';

let serve: ServeProcess;
before(async () => {
  serve = await startServe();
});
after(async () => {
  assert.equal(await serve.stop(), 0);
});

test('ringside serve: runCode in both languages on a cold pool, errors, the leaderboard on /appws and /devws', async () => {
  const app = await TestClient.connect(`${serve.wsUrl}/appws?game=serve`);
  const dev = await TestClient.connect(`${serve.wsUrl}/devws?game=serve`);

  // Nothing is warm yet: both runs wait for their language's first worker.
  app.send({
    action: 'runCode',
    data: {
      language: 'javascript',
      code: 'console.log([1, 2, 3].map((x) => x * x).join(","))',
      mode: 'standalone',
    },
  });
  dev.send({
    action: 'runCode',
    data: { language: 'python', code: 'import sys\nprint(sys.version_info[0])', mode: 'cluster' },
  });
  const js = await app.next(undefined, 60_000);
  assert.deepEqual(Object.keys(js.data), ['output', 'error', 'executionTime', 'memoryUsed']);
  assert.equal(js.data.output, '1,4,9\n');
  assert.equal(js.data.error, null);
  const py = await dev.next(undefined, 60_000);
  assert.equal(py.data.output, '3\n');
  assert.equal(py.data.details.mode, 'cluster');
  assert.equal(py.data.details.executedOn, 'local');

  app.send('{oops');
  assert.deepEqual(await app.next(), { action: 'error', error: 'Invalid JSON' });
  dev.send({ action: 'nope' });
  const unknown = await dev.next();
  assert.equal(unknown.error, 'Unknown action: nope');
  assert.ok(Array.isArray(unknown.details.knownActions));

  app.send({ action: 'startGame', data: { players: ['Ada', 'Linus'] } });
  for (const client of [app, dev])
    assert.deepEqual((await client.next()).data, [
      { id: 1, name: 'Ada', score: 0 },
      { id: 2, name: 'Linus', score: 0 },
    ]);
  dev.send({ action: 'updateScore', data: { playerId: 2, change: 3 } });
  for (const client of [app, dev])
    assert.deepEqual((await client.next()).data, [
      { id: 2, name: 'Linus', score: 3 },
      { id: 1, name: 'Ada', score: 0 },
    ]);
  assert.equal(await refusal(`${serve.wsUrl}/appws/extra`), 404);
  await app.close();
  await dev.close();
});
