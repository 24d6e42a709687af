// Autobahn group 9 (limits/performance), trimmed to what stays fast: text and binary
// messages of 64 KiB to 16 MiB (the default --max-message-bytes, so 16 MiB is exactly at the
// limit), fragmented and in various TCP chunkings, and 1000 pipelined small messages.
import { test } from 'node:test';
import { encodeFrame, Op } from '../helpers/raw-ws.js';
import { assertStillServing, open, prngBytes, utf8Text, serverForThisFile } from './support.js';

const KiB = 1024;
const MiB = 1024 * 1024;
const server = serverForThisFile(['--close-timeout-ms', '1500']);

// Payloads are built once and sliced, so the client spends its time on the wire, not on data.
const TEXT = utf8Text(16 * MiB, 9);
const BINARY = prngBytes(16 * MiB, 9);
const text = (n: number) => {
  // Cut on a code point boundary at or below n, then pad with ASCII to exactly n bytes.
  let end = n;
  while (end > 0 && (TEXT[end]! & 0xc0) === 0x80) end--;
  return Buffer.concat([TEXT.subarray(0, end), Buffer.alloc(n - end, 0x61)]);
};
const binary = (n: number) => BINARY.subarray(0, n);

async function roundtrip(
  opcode: number,
  payload: Buffer,
  opts: { fragmentSize?: number; chunk?: number | { randomMax: number; seed?: number } } = {},
): Promise<void> {
  const ws = await open(server);
  const frames = opts.fragmentSize
    ? ws.messageFrames(opcode, payload, {
        fragments: Math.ceil(payload.length / opts.fragmentSize),
      })
    : encodeFrame({ opcode, payload });
  if (opts.chunk !== undefined) await ws.sendChunked(frames, opts.chunk);
  else ws.sendRaw(frames);
  await ws.expectMessage(opcode, payload, 20_000);
  await ws.closeNormally();
}

const SIZES: Array<[string, number]> = [
  ['1', 64 * KiB],
  ['3', 1 * MiB],
  ['4', 4 * MiB],
  ['6', 16 * MiB],
];
for (const [id, n] of SIZES)
  test(`9.1.${id} text message of ${n / KiB} KiB`, () => roundtrip(Op.TEXT, text(n)));
for (const [id, n] of SIZES)
  test(`9.2.${id} binary message of ${n / KiB} KiB`, () => roundtrip(Op.BINARY, binary(n)));

// 4 KiB fragments of 4 MiB make exactly 1024 fragments, the default --max-fragments.
const FRAGS: Array<[string, number]> = [
  ['4', 4 * KiB],
  ['6', 64 * KiB],
  ['8', 1 * MiB],
  ['9', 4 * MiB],
];
for (const [id, f] of FRAGS)
  test(`9.3.${id} text message of 4 MiB in fragments of ${f / KiB} KiB`, () =>
    roundtrip(Op.TEXT, text(4 * MiB), { fragmentSize: f }));
for (const [id, f] of FRAGS)
  test(`9.4.${id} binary message of 4 MiB in fragments of ${f / KiB} KiB`, () =>
    roundtrip(Op.BINARY, binary(4 * MiB), { fragmentSize: f }));

const CHOPS: Array<[string, number]> = [
  ['1', 64],
  ['3', 256],
  ['6', 2048],
];
for (const [id, c] of CHOPS)
  test(`9.5.${id} text message of 1 MiB written in ${c}-byte chunks`, () =>
    roundtrip(Op.TEXT, text(1 * MiB), { chunk: c }));
for (const [id, c] of CHOPS)
  test(`9.6.${id} binary message of 1 MiB written in ${c}-byte chunks`, () =>
    roundtrip(Op.BINARY, binary(1 * MiB), { chunk: c }));

test('9.5.7 text message of 4 MiB in random chunks of 1..65536 bytes', () =>
  roundtrip(Op.TEXT, text(4 * MiB), { chunk: { randomMax: 65536, seed: 957 } }));
test('9.6.7 binary message of 16 MiB in 17 fragments and random chunks of 1..262144 bytes', () =>
  roundtrip(Op.BINARY, binary(16 * MiB), {
    fragmentSize: MiB,
    chunk: { randomMax: 262144, seed: 967 },
  }));

for (const [id, opcode, size] of [
  ['9.7.1', Op.TEXT, 16],
  ['9.7.5', Op.TEXT, 1024],
  ['9.8.1', Op.BINARY, 16],
  ['9.8.5', Op.BINARY, 1024],
] as const) {
  test(`${id} 1000 ${opcode === Op.TEXT ? 'text' : 'binary'} messages of ${size} bytes pipelined -> 1000 echoes in order`, async () => {
    const ws = await open(server);
    const msgs = Array.from({ length: 1000 }, (_, i) =>
      opcode === Op.TEXT ? Buffer.from(`${i}:`.padEnd(size, 'x')) : prngBytes(size, i + 1),
    );
    ws.sendRaw(Buffer.concat(msgs.map((m) => encodeFrame({ opcode, payload: m }))));
    for (const m of msgs) await ws.expectMessage(opcode, m, 5000);
    await ws.closeNormally();
  });
}

test('9.99 server still accepts and echoes after the large-message group', () =>
  assertStillServing(server));
