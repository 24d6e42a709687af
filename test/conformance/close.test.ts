// Autobahn group 7 (closing handshake): the server echoes the client's close code (an empty
// close body with an empty one), ignores everything after a close, fails bad close bodies
// with 1002 (1007 for a reason that is not UTF-8), and closes TCP itself afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePayload, encodeFrame, Op } from '../helpers/raw-ws.js';
import { assertStillServing, open, utf8Text, serverForThisFile } from './support.js';

const CLOSE_TIMEOUT_MS = 1500;
const server = serverForThisFile(['--close-timeout-ms', String(CLOSE_TIMEOUT_MS)]);

const closeFrame = (code?: number, reason?: string | Buffer) =>
  encodeFrame({ opcode: Op.CLOSE, payload: closePayload(code, reason) });

test('7.1.1 message then close 1000 -> echo, close 1000, TCP closed by the server', async () => {
  const ws = await open(server);
  ws.sendMessage(Op.TEXT, 'Hello World!');
  await ws.expectMessage(Op.TEXT, 'Hello World!');
  const r = await ws.closeNormally();
  assert.equal(r.tcp, 'end');
});

test('7.1.2 close twice -> one close 1000, the second is ignored', async () => {
  const ws = await open(server);
  ws.sendRaw(Buffer.concat([closeFrame(1000), closeFrame(1000)]));
  await ws.expectClose(1000, { reply: false });
});

test('7.1.3 close then ping -> close 1000, no pong', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([closeFrame(1000), encodeFrame({ opcode: Op.PING, payload: 'Hello World!' })]),
  );
  await ws.expectClose(1000, { reply: false });
});

test('7.1.4 close then text -> close 1000, no echo', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([closeFrame(1000), encodeFrame({ opcode: Op.TEXT, payload: 'Hello World!' })]),
  );
  await ws.expectClose(1000, { reply: false });
});

test('7.1.5 fragment 1, close, fragment 2 -> close 1000, no echo', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, fin: false, payload: 'fragment1' }),
      closeFrame(1000),
      encodeFrame({ opcode: Op.CONTINUATION, fin: true, payload: 'fragment2' }),
    ]),
  );
  await ws.expectClose(1000, { reply: false });
});

test('7.1.6 256 KiB text, close, ping in one write -> echo, close 1000, no pong', async () => {
  const ws = await open(server);
  const big = utf8Text(256 * 1024, 716);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, payload: big }),
      closeFrame(1000),
      encodeFrame({ opcode: Op.PING, payload: 'x' }),
    ]),
  );
  await ws.expectMessage(Op.TEXT, big, 5000);
  await ws.expectClose(1000, { reply: false });
});

test('7.3.1 close with an empty body -> close with an empty body', async () => {
  const ws = await open(server);
  ws.sendClose();
  await ws.expectClose(null, { reply: false });
});

test('7.3.2 close with a 1-byte body -> 1002', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.CLOSE, payload: Buffer.from([0x03]) });
  await ws.expectClose(1002);
});

test('7.3.3 close 1000 without reason -> close 1000', async () => {
  const ws = await open(server);
  ws.sendClose(1000);
  await ws.expectClose(1000, { reply: false });
});

test('7.3.4 close 1000 with a short reason -> close 1000', async () => {
  const ws = await open(server);
  ws.sendClose(1000, 'Hello World!');
  await ws.expectClose(1000, { reply: false });
});

test('7.3.5 close 1000 with a 123-byte reason (125-byte body) -> close 1000', async () => {
  const ws = await open(server);
  ws.sendClose(1000, utf8Text(123, 735));
  await ws.expectClose(1000, { reply: false });
});

test('7.3.6 close 1000 with a 124-byte reason (126-byte body) -> 1002', async () => {
  const ws = await open(server);
  ws.sendClose(1000, 'x'.repeat(124));
  await ws.expectClose(1002);
});

test('7.5.1 close 1000 with a reason that is not UTF-8 -> 1007', async () => {
  const ws = await open(server);
  ws.sendClose(1000, Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex'));
  await ws.expectClose(1007);
});

const VALID = [
  1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999, 1012, 1013, 1014,
];
VALID.forEach((code, i) => {
  test(`7.7.${i + 1} close with valid code ${code} -> the same code echoed`, async () => {
    const ws = await open(server);
    ws.sendClose(code);
    await ws.expectClose(code, { reply: false });
  });
});

const INVALID = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 1015];
INVALID.forEach((code, i) => {
  test(`7.9.${i + 1} close with invalid code ${code} -> 1002`, async () => {
    const ws = await open(server);
    ws.sendClose(code);
    await ws.expectClose(1002);
  });
});

test('7.13.1 close with code 5000 -> 1002', async () => {
  const ws = await open(server);
  ws.sendClose(5000);
  await ws.expectClose(1002);
});

test('7.13.2 close with code 65535 -> 1002', async () => {
  const ws = await open(server);
  ws.sendClose(65535);
  await ws.expectClose(1002);
});

// 7.14.x: TCP teardown, beyond Autobahn.
test('7.14.1 after the closing handshake the server closes TCP at once (well before --close-timeout-ms)', async () => {
  const ws = await open(server);
  ws.sendClose(1000);
  const r = await ws.expectClose(1000, { reply: false, tcpTimeoutMs: CLOSE_TIMEOUT_MS + 1000 });
  assert.equal(r.tcp, 'end');
  assert.ok(r.tcpMs < 500, `server closed TCP ${r.tcpMs} ms after its close frame`);
});

test('7.14.2 server-initiated close unanswered: the server drops TCP within --close-timeout-ms', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PING, payload: Buffer.alloc(126) }); // -> 1002
  const r = await ws.expectClose(1002, { reply: false, tcpTimeoutMs: CLOSE_TIMEOUT_MS + 1500 });
  assert.ok(r.tcpMs <= CLOSE_TIMEOUT_MS + 1000, `TCP closed after ${r.tcpMs} ms`);
});

test('7.14.3 close followed by the client half-closing TCP -> close 1000 still sent, then TCP closed', async () => {
  const ws = await open(server);
  ws.sendClose(1000);
  ws.socket.end();
  await ws.expectClose(1000, { reply: false });
});

test('7.14.4 close 1000 with a 123-byte multi-byte UTF-8 reason -> close 1000', async () => {
  const ws = await open(server);
  const reason = Buffer.from('€'.repeat(41)); // 123 bytes
  assert.equal(reason.length, 123);
  ws.sendClose(1000, reason);
  await ws.expectClose(1000, { reply: false });
});

test('7.14.5 close sent one byte at a time -> close 1000', async () => {
  const ws = await open(server);
  await ws.sendChunked(closeFrame(1000, 'bye'), 1, 1);
  await ws.expectClose(1000, { reply: false });
});

test('7.99 server still accepts and echoes after the close group', () =>
  assertStillServing(server));
