// Group 9 limits with --max-message-bytes 1048576: a message at the limit is echoed; one
// byte over -- announced by a single header, or accumulated over fragments -> 1009, and the
// server decides from the header alone, before any payload byte is sent.
import { test } from 'node:test';
import { encodeFrame, encodeHeader, Op } from '../helpers/raw-ws.js';
import { assertStillServing, open, prngBytes, utf8Text, serverForThisFile } from './support.js';

const LIMIT = 1048576;
const server = serverForThisFile([
  '--close-timeout-ms',
  '1500',
  '--max-message-bytes',
  String(LIMIT),
]);

test('9.9.1 text message of exactly --max-message-bytes -> echoed', async () => {
  const ws = await open(server);
  const data = Buffer.alloc(LIMIT, 0x61);
  ws.sendFrame({ opcode: Op.TEXT, payload: data });
  await ws.expectMessage(Op.TEXT, data, 10_000);
  await ws.closeNormally();
});

test('9.9.2 binary message of exactly --max-message-bytes in 2 fragments -> echoed', async () => {
  const ws = await open(server);
  const data = prngBytes(LIMIT, 992);
  ws.sendMessage(Op.BINARY, data, { fragments: 2 });
  await ws.expectMessage(Op.BINARY, data, 10_000);
  await ws.closeNormally();
});

test('9.9.3 binary message of limit + 1 bytes in one frame -> 1009', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.BINARY, payload: prngBytes(LIMIT + 1, 993) });
  await ws.expectClose(1009, { timeoutMs: 5000, allowReset: true }); // the payload may still be in flight
});

test('9.9.4 header announcing limit + 1 bytes, no payload sent -> 1009 at once', async () => {
  const ws = await open(server);
  const { header } = encodeHeader({ opcode: Op.BINARY, length: LIMIT + 1 });
  ws.sendRaw(header);
  await ws.expectClose(1009, { timeoutMs: 1000 });
});

test('9.9.5 text header announcing 16 MiB, no payload sent -> 1009 at once', async () => {
  const ws = await open(server);
  const { header } = encodeHeader({ opcode: Op.TEXT, length: 16 * 1024 * 1024 });
  ws.sendRaw(header);
  await ws.expectClose(1009, { timeoutMs: 1000 });
});

test('9.9.6 64-bit length of 2^53 + 1 (no payload) -> 1009', async () => {
  const ws = await open(server);
  const { header } = encodeHeader({
    opcode: Op.BINARY,
    length: 2n ** 53n + 1n,
    lengthEncoding: '64',
  });
  ws.sendRaw(header);
  await ws.expectClose(1009, { timeoutMs: 1000 });
});

test('9.9.7 64-bit length of 2^63 - 1 (no payload) -> 1009', async () => {
  const ws = await open(server);
  const { header } = encodeHeader({
    opcode: Op.BINARY,
    length: 2n ** 63n - 1n,
    lengthEncoding: '64',
  });
  ws.sendRaw(header);
  await ws.expectClose(1009, { timeoutMs: 1000 });
});

test('9.9.8 three fragments of 400000 bytes (accumulated over the limit) -> 1009, no echo', async () => {
  const ws = await open(server);
  const data = utf8Text(1_200_000, 998);
  ws.sendMessage(Op.TEXT, data, { fragments: [400_000, 400_000, 400_000] });
  await ws.expectClose(1009, { timeoutMs: 5000, allowReset: true }); // the last fragment may still be in flight
});

test('9.9.9 fragments within the limit, then a continuation header that crosses it (no payload) -> 1009 at once', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.BINARY, fin: false, payload: prngBytes(LIMIT - 10, 999) });
  const { header } = encodeHeader({ opcode: Op.CONTINUATION, fin: true, length: 11 });
  ws.sendRaw(header);
  await ws.expectClose(1009, { timeoutMs: 2000 });
});

test('9.9.10 a message over the limit does not poison the next connection', async () => {
  const ws = await open(server);
  ws.sendRaw(encodeHeader({ opcode: Op.TEXT, length: LIMIT * 4 }).header);
  await ws.expectClose(1009, { timeoutMs: 1000 });
  const ws2 = await open(server);
  const data = Buffer.alloc(LIMIT, 0x62);
  ws2.sendRaw(encodeFrame({ opcode: Op.TEXT, payload: data }));
  await ws2.expectMessage(Op.TEXT, data, 10_000);
  await ws2.closeNormally();
});

test('9.99 server still accepts and echoes after the limits group', () =>
  assertStillServing(server));
