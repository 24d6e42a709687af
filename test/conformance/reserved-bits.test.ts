// Autobahn group 3 (reserved bits): any RSV bit without a negotiated extension fails the
// connection with 1002; the echo of the valid message sent before it still arrives, and the
// ping sent after it gets no pong. RSV value n means rsv1=4, rsv2=2, rsv3=1 as in Autobahn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePayload, encodeFrame, Op, type FrameSpec } from '../helpers/raw-ws.js';
import { assertStillServing, open, serverForThisFile } from './support.js';

const server = serverForThisFile(['--close-timeout-ms', '1500']);

const rsv = (n: number): Pick<FrameSpec, 'rsv1' | 'rsv2' | 'rsv3'> => ({
  rsv1: (n & 4) !== 0,
  rsv2: (n & 2) !== 0,
  rsv3: (n & 1) !== 0,
});

test('3.1 text with RSV = 1 -> 1002', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, payload: 'Hello, world!', ...rsv(1) });
  await ws.expectClose(1002);
});

test('3.2 text, then text with RSV = 2, then ping -> echo, 1002, no pong', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, payload: 'Hello, world!' });
  await ws.expectMessage(Op.TEXT, 'Hello, world!');
  ws.sendFrame({ opcode: Op.TEXT, payload: 'Hello, world!', ...rsv(2) });
  ws.sendFrame({ opcode: Op.PING, payload: 'ping' });
  await ws.expectClose(1002);
});

test('3.3 text, text with RSV = 3, ping all in one write -> echo, 1002, no pong', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, payload: 'Hello, world!' }),
      encodeFrame({ opcode: Op.TEXT, payload: 'Hello, world!', ...rsv(3) }),
      encodeFrame({ opcode: Op.PING, payload: 'ping' }),
    ]),
  );
  await ws.expectMessage(Op.TEXT, 'Hello, world!');
  await ws.expectClose(1002);
});

test('3.4 text, text with RSV = 4, ping sent one byte at a time -> echo, 1002, no pong', async () => {
  const ws = await open(server);
  const bytes = Buffer.concat([
    encodeFrame({ opcode: Op.TEXT, payload: 'Hello, world!' }),
    encodeFrame({ opcode: Op.TEXT, payload: 'Hello, world!', ...rsv(4) }),
    encodeFrame({ opcode: Op.PING, payload: 'ping' }),
  ]);
  await ws.sendChunked(bytes, 1, 1);
  await ws.expectMessage(Op.TEXT, 'Hello, world!');
  await ws.expectClose(1002);
});

test('3.5 binary with RSV = 5 -> 1002', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.BINARY, payload: Buffer.from([0, 0xff, 0xfe, 0xfd]), ...rsv(5) });
  await ws.expectClose(1002);
});

test('3.6 ping with RSV = 6 -> 1002 and no pong', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PING, payload: 'Hello, world!', ...rsv(6) });
  await ws.expectClose(1002);
});

test('3.7 close with RSV = 7 -> 1002', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.CLOSE, payload: closePayload(1000), ...rsv(7) });
  await ws.expectClose(1002);
});

test('3.8 RSV1 on a text frame when permessage-deflate was offered but the server has it off -> 1002', async () => {
  const ws = await open(server, { extensions: 'permessage-deflate; client_max_window_bits' });
  assert.equal(
    ws.negotiatedExtensions,
    undefined,
    'deflate must not be negotiated without --deflate',
  );
  ws.sendFrame({
    opcode: Op.TEXT,
    payload: Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]),
    rsv1: true,
  });
  await ws.expectClose(1002);
});

test('3.9 RSV2 on a continuation frame -> 1002 (first fragment never echoed)', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, fin: false, payload: 'frag1' });
  ws.sendFrame({ opcode: Op.CONTINUATION, fin: true, payload: 'frag2', ...rsv(2) });
  await ws.expectClose(1002);
});

test('3.99 server still accepts and echoes after the reserved-bits group', () =>
  assertStillServing(server));
