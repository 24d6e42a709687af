// Autobahn group 2 (pings and pongs): pong mirrors the ping payload exactly, oversized pings
// fail with 1002, pings may arrive byte by byte, unsolicited pongs are ignored.
import { test } from 'node:test';
import { encodeFrame, Op } from '../helpers/raw-ws.js';
import { assertStillServing, open, prngBytes, serverForThisFile } from './support.js';

const server = serverForThisFile(['--close-timeout-ms', '1500']);

async function pingPong(payload: Buffer): Promise<void> {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PING, payload });
  await ws.expectPong(payload);
  await ws.closeNormally();
}

test('2.1 ping without payload -> pong without payload', () => pingPong(Buffer.alloc(0)));
test('2.2 ping with a small text payload', () => pingPong(Buffer.from('Hello, world!')));
test('2.3 ping with a small binary payload', () =>
  pingPong(Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff])));
test('2.4 ping with a 125-byte binary payload', () => pingPong(prngBytes(125, 24)));

test('2.5 ping with a 126-byte payload -> 1002 and no pong', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PING, payload: prngBytes(126, 25) });
  await ws.expectClose(1002);
});

test('2.6 ping with a 125-byte payload sent one byte at a time', async () => {
  const ws = await open(server);
  const payload = prngBytes(125, 26);
  await ws.sendChunked(encodeFrame({ opcode: Op.PING, payload }), 1, 1);
  await ws.expectPong(payload);
  await ws.closeNormally();
});

test('2.7 unsolicited pong without payload is ignored', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PONG });
  await ws.expectNothing(200);
  await ws.closeNormally();
});

test('2.8 unsolicited pong with payload is ignored', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PONG, payload: 'unsolicited pong payload' });
  await ws.expectNothing(200);
  await ws.closeNormally();
});

test('2.9 unsolicited pong then ping -> exactly one pong, for the ping', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PONG, payload: 'unsolicited pong payload' });
  ws.sendFrame({ opcode: Op.PING, payload: 'ping payload' });
  await ws.expectPong('ping payload');
  await ws.expectNothing(150);
  await ws.closeNormally();
});

test('2.10 ten pings in one write -> ten pongs in order', async () => {
  const ws = await open(server);
  const payloads = Array.from({ length: 10 }, (_, i) => Buffer.from(`payload-${i}`));
  ws.sendRaw(Buffer.concat(payloads.map((p) => encodeFrame({ opcode: Op.PING, payload: p }))));
  for (const p of payloads) await ws.expectPong(p);
  await ws.expectNothing(100);
  await ws.closeNormally();
});

test('2.11 ten pings sent one byte at a time -> ten pongs in order', async () => {
  const ws = await open(server);
  const payloads = Array.from({ length: 10 }, (_, i) => Buffer.from(`chopped-${i}`));
  await ws.sendChunked(
    Buffer.concat(payloads.map((p) => encodeFrame({ opcode: Op.PING, payload: p }))),
    1,
    0.5,
  );
  for (const p of payloads) await ws.expectPong(p);
  await ws.closeNormally();
});

test('2.12 ping with a 125-byte payload in the 16-bit length form (non-minimal) -> pong', async () => {
  const ws = await open(server);
  const payload = prngBytes(125, 212);
  ws.sendFrame({ opcode: Op.PING, payload, lengthEncoding: '16' });
  await ws.expectPong(payload);
  await ws.closeNormally();
});

test('2.13 ping whose 16-bit length says 126 -> 1002', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.PING, payload: prngBytes(126, 213), lengthEncoding: '16' });
  await ws.expectClose(1002);
});

test('2.99 server still accepts and echoes after the ping/pong group', () =>
  assertStillServing(server));
