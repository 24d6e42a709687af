// Autobahn group 12 (permessage-deflate payloads) plus RFC 7692 error cases, against a server
// with --deflate --deflate-threshold 0 --max-message-bytes 1048576: compressed echoes of
// many sizes (whole and auto-fragmented), RSV1 where it may not be (continuation, control)
// -> 1002, data that does not inflate -> 1007, and a deflate bomb -> 1009 without the
// server ever holding the inflated bytes (its RSS is read from /proc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import {
  closePayload,
  encodeFrame,
  Op,
  pmdCompress,
  rssBytes,
  type RawWs,
} from '../helpers/raw-ws.js';
import { assertStillServing, jsonText, open, prngBytes, serverForThisFile } from './support.js';

const LIMIT = 1048576;
const server = serverForThisFile([
  '--close-timeout-ms',
  '1500',
  '--deflate',
  '--deflate-threshold',
  '0',
  '--max-message-bytes',
  String(LIMIT),
]);

const deflated = () => open(server, { extensions: 'permessage-deflate; client_max_window_bits' });

/** Autobahn's MSG_SIZES: (payload size, auto-fragment size); 10 messages per case here. */
const MSG_SIZES: Array<[number, number]> = [
  [16, 0],
  [64, 0],
  [256, 0],
  [1024, 0],
  [4096, 0],
  [8192, 0],
  [16384, 0],
  [32768, 0],
  [65536, 0],
  [131072, 0],
  [8192, 256],
  [16384, 256],
  [32768, 256],
  [65536, 256],
  [131072, 256],
  [131072, 1024],
  [131072, 4096],
  [131072, 32768],
];

async function sendMany(
  ws: RawWs,
  opcode: number,
  make: (i: number) => Buffer,
  count: number,
  fragSize: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const data = make(i);
    const compressedLen = pmdCompress(data).length; // size estimate for the fragment count only
    const fragments = fragSize > 0 ? Math.max(1, Math.ceil(compressedLen / fragSize)) : undefined;
    ws.sendMessage(opcode, data, fragments ? { compress: true, fragments } : { compress: true });
    const m = await ws.expectMessage(opcode, data, 5000);
    assert.equal(m.compressed, true);
  }
}

MSG_SIZES.forEach(([size, frag], i) => {
  test(`12.1.${i + 1} 10 compressed JSON text messages of ${size} bytes${frag ? `, fragments of ${frag}` : ''}`, async () => {
    const ws = await deflated();
    await sendMany(ws, Op.TEXT, (k) => jsonText(size, k + 1), 10, frag);
    await ws.closeNormally();
  });
});
MSG_SIZES.forEach(([size, frag], i) => {
  test(`12.2.${i + 1} 10 compressed random binary messages of ${size} bytes${frag ? `, fragments of ${frag}` : ''}`, async () => {
    const ws = await deflated();
    await sendMany(ws, Op.BINARY, (k) => prngBytes(size, k + 100), 10, frag);
    await ws.closeNormally();
  });
});

// 12.9.x: RFC 7692 rules and failure modes.
test('12.9.1 compressed message in 3 fragments (RSV1 on the first only) -> echoed', async () => {
  const ws = await deflated();
  const data = jsonText(10000, 91);
  ws.sendMessage(Op.TEXT, data, { compress: true, fragments: 3 });
  await ws.expectMessage(Op.TEXT, data);
  await ws.closeNormally();
});

test('12.9.2 RSV1 on a continuation frame -> 1002', async () => {
  const ws = await deflated();
  const body = ws.pmd!.compress(jsonText(2000, 92));
  const half = body.length >> 1;
  ws.sendFrame({ opcode: Op.TEXT, fin: false, rsv1: true, payload: body.subarray(0, half) });
  ws.sendFrame({ opcode: Op.CONTINUATION, fin: true, rsv1: true, payload: body.subarray(half) });
  await ws.expectClose(1002);
});

test('12.9.3 RSV1 on a ping -> 1002, no pong', async () => {
  const ws = await deflated();
  ws.sendFrame({ opcode: Op.PING, rsv1: true, payload: pmdCompress(Buffer.from('ping')) });
  await ws.expectClose(1002);
});

test('12.9.4 RSV1 on a close frame -> 1002', async () => {
  const ws = await deflated();
  ws.sendFrame({ opcode: Op.CLOSE, rsv1: true, payload: closePayload(1000) });
  await ws.expectClose(1002);
});

test('12.9.5 RSV1 on a pong -> 1002', async () => {
  const ws = await deflated();
  ws.sendFrame({ opcode: Op.PONG, rsv1: true, payload: Buffer.alloc(0) });
  await ws.expectClose(1002);
});

test('12.9.6 compressed data that does not inflate (reserved block type) -> 1007', async () => {
  const ws = await deflated();
  ws.sendFrame({
    opcode: Op.BINARY,
    rsv1: true,
    payload: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  });
  await ws.expectClose(1007);
});

test('12.9.7 compressed text that inflates to invalid UTF-8 -> 1007', async () => {
  const ws = await deflated();
  ws.sendMessage(Op.TEXT, Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex'), {
    compress: true,
  });
  await ws.expectClose(1007);
});

test('12.9.8 uncompressed message on a deflate connection -> echoed (compressed, threshold 0)', async () => {
  const ws = await deflated();
  const data = jsonText(500, 98);
  ws.sendMessage(Op.TEXT, data);
  assert.equal((await ws.expectMessage(Op.TEXT, data)).compressed, true);
  await ws.closeNormally();
});

test('12.9.9 empty message compressed as a single 00 byte (RFC 7692 7.2.3.6) -> empty echo', async () => {
  const ws = await deflated();
  ws.sendFrame({ opcode: Op.TEXT, rsv1: true, payload: Buffer.from([0x00]) });
  await ws.expectMessage(Op.TEXT, '');
  await ws.closeNormally();
});

test('12.9.10 client context takeover: repeated message refers back and still inflates', async () => {
  const ws = await deflated();
  const data = prngBytes(4000, 910); // incompressible alone, tiny when it repeats
  const first = ws.messageFrames(Op.BINARY, data, { compress: true });
  const second = ws.messageFrames(Op.BINARY, data, { compress: true });
  assert.ok(second.length < first.length / 10, 'the second copy must be back-references');
  ws.sendRaw(Buffer.concat([first, second]));
  await ws.expectMessage(Op.BINARY, data);
  await ws.expectMessage(Op.BINARY, data);
  await ws.closeNormally();
});

test('12.9.11 compressed message inflating to exactly --max-message-bytes -> echoed', async () => {
  const ws = await deflated();
  const data = Buffer.alloc(LIMIT, 0x61);
  ws.sendMessage(Op.TEXT, data, { compress: true });
  await ws.expectMessage(Op.TEXT, data, 10_000);
  await ws.closeNormally();
});

test('12.9.12 compressed message inflating to limit + 1 bytes -> 1009', async () => {
  const ws = await deflated();
  ws.sendMessage(Op.BINARY, Buffer.alloc(LIMIT + 1, 0x61), { compress: true });
  await ws.expectClose(1009, { timeoutMs: 5000 });
});

test('12.9.13 deflate bombs (64 MiB of zeros in ~64 KB) -> 1009 each, server RSS grows < 32 MiB', async () => {
  const bomb = zlib
    .deflateRawSync(Buffer.alloc(64 * 1024 * 1024), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      level: 9,
    })
    .subarray(0, -4);
  assert.ok(bomb.length < 128 * 1024, `bomb is ${bomb.length} bytes`);
  const warm = await deflated();
  warm.sendMessage(Op.TEXT, jsonText(1000, 1), { compress: true });
  await warm.expectMessage(Op.TEXT, jsonText(1000, 1));
  await warm.closeNormally();
  const before = await rssBytes(server.proc.pid!);
  for (let i = 0; i < 3; i++) {
    const ws = await deflated();
    if (i === 2) ws.sendMessage(Op.BINARY, Buffer.alloc(0)); // an empty message first, for variety
    if (i === 2) await ws.expectMessage(Op.BINARY, Buffer.alloc(0));
    // i = 1: the bomb in 4 fragments
    ws.sendRaw(
      i === 1
        ? Buffer.concat(
            [0, 1, 2, 3].map((k) =>
              encodeFrame({
                opcode: k === 0 ? Op.BINARY : Op.CONTINUATION,
                fin: k === 3,
                rsv1: k === 0,
                payload: bomb.subarray((k * bomb.length) >> 2, ((k + 1) * bomb.length) >> 2),
              }),
            ),
          )
        : encodeFrame({ opcode: Op.BINARY, rsv1: true, payload: bomb }),
    );
    await ws.expectClose(1009, { timeoutMs: 5000, allowReset: true }); // bomb bytes may still be in flight
  }
  const afterRss = await rssBytes(server.proc.pid!);
  const grewMiB = (afterRss - before) / 1024 / 1024;
  assert.ok(grewMiB < 32, `server RSS grew by ${grewMiB.toFixed(1)} MiB`);
});

/** Raw DEFLATE ended with Z_FINISH: the last block has BFINAL set (RFC 7692 7.2.3.4). */
function finalBlockCompress(data: Buffer, dictionary?: Buffer): Buffer {
  return zlib.deflateRawSync(data, dictionary ? { dictionary } : {});
}

test('12.9.14 RFC 7692 7.2.3.4 example: "Hello" in a BFINAL block -> echoed', async () => {
  const ws = await deflated();
  ws.sendFrame({
    opcode: Op.TEXT,
    rsv1: true,
    payload: Buffer.from([0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]),
  });
  await ws.expectMessage(Op.TEXT, 'Hello');
  await ws.closeNormally();
});

test('12.9.15 several BFINAL messages in a row, whole and fragmented -> each echoed', async () => {
  const ws = await deflated();
  for (let i = 0; i < 4; i++) {
    const data = jsonText(3000 + i * 500, 140 + i);
    const body = finalBlockCompress(data);
    if (i % 2 === 0) {
      ws.sendFrame({ opcode: Op.TEXT, rsv1: true, payload: body });
    } else {
      const half = body.length >> 1;
      ws.sendFrame({ opcode: Op.TEXT, fin: false, rsv1: true, payload: body.subarray(0, half) });
      ws.sendFrame({ opcode: Op.CONTINUATION, payload: body.subarray(half) });
    }
    await ws.expectMessage(Op.TEXT, data);
  }
  await ws.closeNormally();
});

test('12.9.16 context takeover across a BFINAL message: the next messages refer back to it', async () => {
  const ws = await deflated();
  const a = prngBytes(4000, 916); // incompressible alone, tiny when it repeats
  const b = prngBytes(3000, 917);
  // 1: a, ended with a BFINAL block.
  const first = finalBlockCompress(a);
  // 2: a again, a new stream whose window is message 1 (BFINAL again): back-references only.
  const second = finalBlockCompress(a, a);
  assert.ok(second.length < first.length / 10, 'message 2 must be back-references');
  // 3: b then a, sync-flushed, with the window of messages 1 and 2: a is back-referenced.
  const third = pmdCompress(Buffer.concat([b, a]), { dictionary: Buffer.concat([a, a]) });
  assert.ok(third.length < b.length + 200, 'message 3 must refer back to a');
  // 4: a once more after a sync-flushed message, ended with BFINAL, window = 1..3.
  const fourth = finalBlockCompress(a, Buffer.concat([a, a, b, a]));
  assert.ok(fourth.length < 100);
  for (const payload of [first, second, third, fourth])
    ws.sendFrame({ opcode: Op.BINARY, rsv1: true, payload });
  await ws.expectMessage(Op.BINARY, a);
  await ws.expectMessage(Op.BINARY, a);
  await ws.expectMessage(Op.BINARY, Buffer.concat([b, a]));
  await ws.expectMessage(Op.BINARY, a);
  await ws.closeNormally();
});

test('12.9.17 bytes after the BFINAL block inside the message -> 1007', async () => {
  const ws = await deflated();
  const body = Buffer.concat([finalBlockCompress(Buffer.from('Hello')), Buffer.from([1, 2, 3])]);
  ws.sendFrame({ opcode: Op.TEXT, rsv1: true, payload: body });
  await ws.expectClose(1007);
});

test('12.99 server still accepts and echoes after the compressed-message group', () =>
  assertStillServing(server));
