// Autobahn group 1 (framing): text and binary messages at every length boundary of the
// 7/16/64-bit length forms, whole or in TCP chunks down to one byte, plus non-minimal
// length forms (RFC 6455 5.2 asks senders for the minimal form; receivers accept others).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, encodeHeader, Op } from '../helpers/raw-ws.js';
import { assertStillServing, open, prngBytes, utf8Text, serverForThisFile } from './support.js';

const server = serverForThisFile(['--close-timeout-ms', '1500']);

type Chunking = {
  sizes: number | number[] | { randomMax: number; seed?: number };
  delayMs?: number;
};

async function echoOnce(
  opcode: number,
  payload: Buffer,
  opts: { lengthEncoding?: '7' | '16' | '64'; chunking?: Chunking; maskKey?: Buffer } = {},
): Promise<void> {
  const ws = await open(server);
  const frame = encodeFrame({
    opcode,
    payload,
    ...(opts.lengthEncoding ? { lengthEncoding: opts.lengthEncoding } : {}),
    ...(opts.maskKey ? { maskKey: opts.maskKey } : {}),
  });
  if (opts.chunking) await ws.sendChunked(frame, opts.chunking.sizes, opts.chunking.delayMs ?? 0);
  else ws.sendRaw(frame);
  await ws.expectMessage(opcode, payload, 5000);
  await ws.closeNormally();
}

const LENGTHS: Array<[string, number]> = [
  ['1', 0],
  ['2', 125],
  ['3', 126],
  ['4', 127],
  ['5', 128],
  ['6', 65535],
  ['7', 65536],
];

for (const [n, len] of LENGTHS) {
  test(`1.1.${n} text message of ${len} bytes`, () => echoOnce(Op.TEXT, utf8Text(len, len + 1)));
}
test('1.1.8 text message of 65536 bytes sent in chunks of 997 bytes', () =>
  echoOnce(Op.TEXT, utf8Text(65536, 8), { chunking: { sizes: 997 } }));

for (const [n, len] of LENGTHS) {
  test(`1.2.${n} binary message of ${len} bytes`, () =>
    echoOnce(Op.BINARY, prngBytes(len, len + 1)));
}
test('1.2.8 binary message of 65536 bytes sent in chunks of 997 bytes', () =>
  echoOnce(Op.BINARY, prngBytes(65536, 8), { chunking: { sizes: 997 } }));

// 1.3.x: beyond Autobahn -- explicit length forms and byte-level delivery.
test('1.3.1 text of 0 bytes with a 16-bit length (non-minimal)', () =>
  echoOnce(Op.TEXT, Buffer.alloc(0), { lengthEncoding: '16' }));
test('1.3.2 text of 5 bytes with a 64-bit length (non-minimal)', () =>
  echoOnce(Op.TEXT, Buffer.from('hello'), { lengthEncoding: '64' }));
test('1.3.3 binary of 125 bytes with a 16-bit length (non-minimal)', () =>
  echoOnce(Op.BINARY, prngBytes(125, 33), { lengthEncoding: '16' }));
test('1.3.4 binary of 300 bytes with a 64-bit length (non-minimal)', () =>
  echoOnce(Op.BINARY, prngBytes(300, 34), { lengthEncoding: '64' }));
test('1.3.5 text of 126 bytes sent one byte at a time', () =>
  echoOnce(Op.TEXT, utf8Text(126, 35), { chunking: { sizes: 1, delayMs: 1 } }));
test('1.3.6 binary of 128 bytes with a 64-bit length sent one byte at a time', () =>
  echoOnce(Op.BINARY, prngBytes(128, 36), {
    lengthEncoding: '64',
    chunking: { sizes: 1, delayMs: 1 },
  }));
test('1.3.7 binary of 65536 bytes in random chunks of 1..3000 bytes', () =>
  echoOnce(Op.BINARY, prngBytes(65536, 37), {
    chunking: { sizes: { randomMax: 3000, seed: 37 } },
  }));
test('1.3.8 text of 70000 bytes in chunks that split the header (sizes 1,2,3,5,8,13...)', () =>
  echoOnce(Op.TEXT, utf8Text(70000, 38), { chunking: { sizes: [1, 2, 3, 5, 8, 13, 21, 4096] } }));
test('1.3.9 all-zero masking key', () =>
  echoOnce(Op.TEXT, Buffer.from('zero mask'), { maskKey: Buffer.alloc(4) }));

test('1.3.10 three messages in one TCP write are echoed in order', async () => {
  const ws = await open(server);
  const a = utf8Text(10, 1);
  const b = prngBytes(200, 2);
  const c = utf8Text(70000, 3);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, payload: a }),
      encodeFrame({ opcode: Op.BINARY, payload: b }),
      encodeFrame({ opcode: Op.TEXT, payload: c }),
    ]),
  );
  await ws.expectMessage(Op.TEXT, a);
  await ws.expectMessage(Op.BINARY, b);
  await ws.expectMessage(Op.TEXT, c);
  await ws.closeNormally();
});

test('1.3.11 header and payload written 100 ms apart', async () => {
  const ws = await open(server);
  const payload = utf8Text(300, 4);
  const frame = encodeFrame({ opcode: Op.TEXT, payload });
  ws.sendRaw(frame.subarray(0, 8)); // 2 + 2 (16-bit length) + 4 (mask key)
  await ws.expectNothing(100);
  ws.sendRaw(frame.subarray(8));
  await ws.expectMessage(Op.TEXT, payload);
  await ws.closeNormally();
});

test('1.3.12 64-bit length with the most significant bit set -> 1002', async () => {
  const ws = await open(server);
  const { header } = encodeHeader({
    opcode: Op.BINARY,
    length: (1n << 63n) + 5n,
    lengthEncoding: '64',
  });
  ws.sendRaw(Buffer.concat([header, Buffer.from('hello')]));
  await ws.expectClose(1002);
});

test('1.3.13 text message of 0 bytes followed by a ping: echo then pong, in order', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, payload: '' }),
      encodeFrame({ opcode: Op.PING, payload: 'p' }),
    ]),
  );
  await ws.expectMessage(Op.TEXT, '');
  await ws.expectPong('p');
  await ws.closeNormally();
});

test('1.9 server still accepts and echoes after the framing group', async () => {
  await assertStillServing(server);
  assert.equal(server.proc.exitCode, null);
});
