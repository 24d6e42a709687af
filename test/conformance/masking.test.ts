// Group 10 here is masking (RFC 6455 5.1/5.3), not Autobahn's "misc": a server must fail
// any unmasked client frame with 1002 and must never mask its own frames (the raw client's
// reader asserts that on every frame it parses). 10.1.1 is Autobahn's auto-fragmented case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePayload, encodeFrame, Op } from '../helpers/raw-ws.js';
import { assertStillServing, open, prngBytes, utf8Text, serverForThisFile } from './support.js';

const server = serverForThisFile(['--close-timeout-ms', '1500']);

test('10.1.1 text of 65536 bytes in fragments of 1300 bytes -> echoed', async () => {
  const ws = await open(server);
  const data = utf8Text(65536, 1011);
  ws.sendMessage(Op.TEXT, data, { fragments: Array(Math.ceil(65536 / 1300)).fill(1300) });
  const m = await ws.expectMessage(Op.TEXT, data);
  assert.ok(m.frames >= 1);
  await ws.closeNormally();
});

test('10.2.1 unmasked text frame -> 1002, no echo', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, payload: 'unmasked', mask: false });
  await ws.expectClose(1002);
});

test('10.2.2 unmasked binary frame of 70000 bytes -> 1002, no echo', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.BINARY, payload: prngBytes(70000, 1022), mask: false });
  await ws.expectClose(1002, { timeoutMs: 3000, allowReset: true }); // the payload may still be in flight
});

test('10.2.3 unmasked ping -> 1002, no pong', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PING, payload: 'ping', mask: false });
  await ws.expectClose(1002);
});

test('10.2.4 unmasked close -> 1002', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.CLOSE, payload: closePayload(1000), mask: false });
  await ws.expectClose(1002);
});

test('10.2.5 masked first fragment, unmasked continuation -> 1002, no echo', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, fin: false, payload: 'masked' });
  ws.sendFrame({ opcode: Op.CONTINUATION, fin: true, payload: 'unmasked', mask: false });
  await ws.expectClose(1002);
});

test('10.2.6 valid message, then an unmasked one -> echo of the first, then 1002', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, payload: 'first' }),
      encodeFrame({ opcode: Op.TEXT, payload: 'second', mask: false }),
    ]),
  );
  await ws.expectMessage(Op.TEXT, 'first');
  await ws.expectClose(1002);
});

test('10.3.1 server frames are never masked (echo, pong and close parsed strictly)', async () => {
  const ws = await open(server);
  ws.sendMessage(Op.BINARY, prngBytes(300, 1031));
  ws.sendFrame({ opcode: Op.PING, payload: 'p' });
  const m = await ws.nextFrame();
  assert.equal(m.masked, false);
  assert.equal(m.opcode, Op.BINARY);
  const p = await ws.nextFrame();
  assert.equal(p.masked, false);
  assert.equal(p.opcode, Op.PONG);
  ws.sendClose(1000);
  const c = await ws.nextFrame();
  assert.equal(c.masked, false);
  assert.equal(c.opcode, Op.CLOSE);
  await ws.waitServerClose();
});

test('10.99 server still accepts and echoes after the masking group', () =>
  assertStillServing(server));
