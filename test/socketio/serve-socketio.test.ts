// `ringside serve` as a child process: the arena answers at /socket.io/ next to Fastify
// (REST and /healthz untouched), socket.io-client with its defaults (polling, then the
// upgrade) authenticates with a registered account's token, a bad token is refused,
// and a shutdown with a polling session open still exits 0.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { openPolling } from './peers.js';
import { SioPlayer } from './sio-player.js';

let serve: ServeProcess;

before(async () => {
  serve = await startServe(['--sandbox-lazy']);
});

after(async () => {
  if (serve.proc.exitCode === null) await serve.stop();
});

test('the arena over Socket.IO on ringside serve', async () => {
  const registered = await fetch(`${serve.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'sio_serve_user', password: 'correct horse battery' }),
  });
  assert.equal(registered.status, 201);
  const { token } = (await registered.json()) as { token: string };

  const player = await SioPlayer.connect(serve.url, token, ['polling', 'websocket']);
  const pong = await player.ok('system:ping');
  assert.equal(pong.event, 'system:pong');
  const joined = await player.ok('battle:join', { difficulty: 'easy', language: 'javascript' });
  assert.equal(joined.data.status, 'queued');
  const again = await player.request('battle:join', { difficulty: 'easy' });
  assert.equal(again.type, 'error');
  assert.equal(again.error.code, 'ALREADY_QUEUED');
  player.close();

  await assert.rejects(SioPlayer.connect(serve.url, 'forged', ['polling']), {
    message: 'Missing, invalid or expired token',
  });
  assert.equal((await fetch(`${serve.url}/healthz`)).status, 200);
  const me = await fetch(`${serve.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);

  // A polling session left open does not hold the shutdown.
  await openPolling(serve.url);
  assert.equal(await serve.stop(), 0);
});
