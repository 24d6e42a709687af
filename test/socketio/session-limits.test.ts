// Sessions per client address: `ringside echo --max-connections-per-ip 3` caps Engine.IO
// sessions too, whatever their transport (a polling session holds no WebSocket the
// engine could count), and a session that ends frees its place.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';
import { http, openPolling, WsPeer } from './peers.js';

let echo: EchoProcess;
let base: string;

before(async () => {
  echo = await startEcho(['--max-connections-per-ip', '3']);
  base = `http://127.0.0.1:${echo.port}`;
});

after(async () => {
  assert.equal(await echo.stop(), 0);
});

test('a fourth session from one address is refused until one ends', async () => {
  const first = await openPolling(base);
  await openPolling(base);
  const socket = await WsPeer.open(
    `ws://127.0.0.1:${echo.port}/socket.io/?EIO=4&transport=websocket`,
  );
  const refused = await http(`${base}/socket.io/?EIO=4&transport=polling`);
  assert.equal(refused.status, 429);
  await assert.rejects(
    WsPeer.open(`ws://127.0.0.1:${echo.port}/socket.io/?EIO=4&transport=websocket`),
    /status 429/,
  );
  const closed = await http(`${base}/socket.io/?EIO=4&transport=polling&sid=${first.sid}`, {
    method: 'POST',
    body: '1',
  });
  assert.equal(closed.status, 200);
  const again = await openPolling(base);
  assert.equal(typeof again.sid, 'string');
  socket.close();
});
