// Autobahn group 6 (UTF-8): valid text echoed byte for byte, every class of invalid UTF-8
// (overlongs, surrogates, > U+10FFFF, stray continuation bytes, lonely start bytes,
// truncated sequences, impossible bytes) -> 1007, and fail-fast: the server closes as soon
// as invalid bytes arrive, before the rest of the message is sent.
// The 6.5-6.23 vectors follow Autobahn's case6_x_x (from Markus Kuhn's UTF-8-test.txt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, encodeHeader, maskBytes, Op, type RawWs } from '../helpers/raw-ws.js';
import { assertStillServing, open, serverForThisFile } from './support.js';

const server = serverForThisFile(['--close-timeout-ms', '1500']);

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const KOSME = hex('cebae1bdb9cf83cebcceb5'); // κόσμε

async function expectEchoOrFail(ws: RawWs, payload: Buffer, valid: boolean): Promise<void> {
  if (valid) {
    await ws.expectMessage(Op.TEXT, payload);
    await ws.closeNormally();
  } else {
    await ws.expectClose(1007);
  }
}

// ---- 6.1 - 6.4 ----

test('6.1.1 empty text message -> empty echo', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, payload: '' });
  await expectEchoOrFail(ws, Buffer.alloc(0), true);
});

test('6.1.2 text in 3 empty fragments -> empty echo', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, fin: false, payload: '' }),
      encodeFrame({ opcode: Op.CONTINUATION, fin: false, payload: '' }),
      encodeFrame({ opcode: Op.CONTINUATION, fin: true, payload: '' }),
    ]),
  );
  await expectEchoOrFail(ws, Buffer.alloc(0), true);
});

test('6.1.3 text fragments "", "middle frame payload", "" -> echo', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, fin: false, payload: '' }),
      encodeFrame({ opcode: Op.CONTINUATION, fin: false, payload: 'middle frame payload' }),
      encodeFrame({ opcode: Op.CONTINUATION, fin: true, payload: '' }),
    ]),
  );
  await expectEchoOrFail(ws, Buffer.from('middle frame payload'), true);
});

const HELLO = Buffer.from('Hello-µ@ßöäüàá-UTF-8!!');

test('6.2.1 valid multi-byte UTF-8 in one frame -> echo', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, payload: HELLO });
  await expectEchoOrFail(ws, HELLO, true);
});

test('6.2.2 valid UTF-8 in 2 fragments split on a code point boundary -> echo', async () => {
  const ws = await open(server);
  ws.sendMessage(Op.TEXT, HELLO, { fragments: [7] }); // "Hello-µ" | "@ßöäüàá-UTF-8!!"
  await expectEchoOrFail(ws, HELLO, true);
});

test('6.2.3 valid UTF-8 in one frame sent one byte at a time -> echo', async () => {
  const ws = await open(server);
  await ws.sendChunked(encodeFrame({ opcode: Op.TEXT, payload: HELLO }), 1, 0.5);
  await expectEchoOrFail(ws, HELLO, true);
});

test('6.2.4 valid UTF-8 in 1-byte fragments that split code points -> echo', async () => {
  const ws = await open(server);
  ws.sendMessage(Op.TEXT, KOSME, { fragments: Array(KOSME.length).fill(1) });
  await expectEchoOrFail(ws, KOSME, true);
});

const INVALID_MSG = hex('cebae1bdb9cf83cebcceb5 eda080 656469746564'); // κόσμε U+D800 "edited"

test('6.3.1 invalid UTF-8 (surrogate) in one frame -> 1007', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, payload: INVALID_MSG });
  await expectEchoOrFail(ws, INVALID_MSG, false);
});

test('6.3.2 invalid UTF-8 in 1-byte fragments -> 1007', async () => {
  const ws = await open(server);
  ws.sendMessage(Op.TEXT, INVALID_MSG, { fragments: Array(INVALID_MSG.length).fill(1) });
  await expectEchoOrFail(ws, INVALID_MSG, false);
});

// Fail-fast across fragments: part 2 makes the message invalid; the close must arrive before
// part 3 is sent.
async function failFastFragments(p1: Buffer, p2: Buffer, p3: Buffer): Promise<void> {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, fin: false, payload: p1 });
  await ws.expectNothing(150);
  ws.sendFrame({ opcode: Op.CONTINUATION, fin: false, payload: p2 });
  await ws.expectClose(1007, { timeoutMs: 1000 });
  void p3; // never sent: the connection is already failed
}

test('6.4.1 fail fast: fragment 2 is F4 90 80 80 (> U+10FFFF) -> 1007 before fragment 3 is sent', () =>
  failFastFragments(KOSME, hex('f4908080'), Buffer.from('edited')));

test('6.4.2 fail fast: fragment 1 ends with F4, fragment 2 is 90 -> 1007 before fragment 3 is sent', () =>
  failFastFragments(Buffer.concat([KOSME, hex('f4')]), hex('90'), hex('8080656469746564')));

// Fail-fast inside one frame ("as soon as the bad bytes arrive"): the frame's bytes come in
// three TCP chunks; the close must arrive before the third chunk.
async function failFastChunks(p1: Buffer, p2: Buffer, p3: Buffer): Promise<void> {
  const ws = await open(server);
  const payload = Buffer.concat([p1, p2, p3]);
  const { header, maskKey } = encodeHeader({ opcode: Op.TEXT, length: payload.length });
  const masked = maskBytes(payload, maskKey!);
  ws.sendRaw(Buffer.concat([header, masked.subarray(0, p1.length)]));
  await ws.expectNothing(150);
  ws.sendRaw(masked.subarray(p1.length, p1.length + p2.length));
  await ws.expectClose(1007, { timeoutMs: 1000 });
}

test('6.4.3 fail fast within a frame: chunk 2 carries F4 90 80 80 -> 1007 before chunk 3', () =>
  failFastChunks(KOSME, hex('f4908080'), Buffer.from('edited')));

test('6.4.4 fail fast within a frame: chunk 1 ends with F4, chunk 2 is 90 -> 1007 before chunk 3', () =>
  failFastChunks(Buffer.concat([KOSME, hex('f4')]), hex('90'), hex('8080656469746564')));

test('6.4.5 a code point split across fragments (E2 82 | AC) is valid -> echo "ab€"', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, fin: false, payload: hex('6162e282') });
  await ws.expectNothing(100);
  ws.sendFrame({ opcode: Op.CONTINUATION, fin: true, payload: hex('ac') });
  await expectEchoOrFail(ws, Buffer.from('ab€'), true);
});

test('6.4.6 a 4-byte code point split across TCP chunks of one frame is valid -> echo', async () => {
  const ws = await open(server);
  const payload = Buffer.from('x😀y');
  const frame = encodeFrame({ opcode: Op.TEXT, payload });
  const split = frame.length - 4; // inside the emoji's bytes
  ws.sendRaw(frame.subarray(0, split));
  await ws.expectNothing(100);
  ws.sendRaw(frame.subarray(split));
  await expectEchoOrFail(ws, payload, true);
});

test('6.4.7 truncated sequence at the end of the final fragment -> 1007', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, fin: false, payload: hex('6162') });
  ws.sendFrame({ opcode: Op.CONTINUATION, fin: true, payload: hex('63e282') });
  await ws.expectClose(1007);
});

test('6.4.8 incomplete sequence ending a non-final fragment, then an empty final fragment -> 1007', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, fin: false, payload: hex('61f09f98') });
  await ws.expectNothing(100); // incomplete at the end of a non-final fragment is fine
  ws.sendFrame({ opcode: Op.CONTINUATION, fin: true, payload: '' });
  await ws.expectClose(1007);
});

test('6.4.9 invalid first fragment (C0 AF) with no final fragment ever sent -> 1007', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.TEXT, fin: false, payload: hex('41c0af') });
  await ws.expectClose(1007, { timeoutMs: 1000 });
});

test('6.4.10 invalid UTF-8 in a binary message is not checked -> echo', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.BINARY, payload: INVALID_MSG });
  await ws.expectMessage(Op.BINARY, INVALID_MSG);
  await ws.closeNormally();
});

// ---- 6.5 - 6.23: Autobahn's UTF-8 vector groups, one single-frame message each ----

type Vec = [boolean, Buffer];
const b = (...bytes: number[]) => Buffer.from(bytes);
const groups: Array<[string, Vec[]]> = [];

groups.push([
  'some valid UTF-8 sequences',
  [
    [true, Buffer.from('hello$world')],
    [true, Buffer.from('hello¢world')],
    [true, Buffer.from('hello€world')],
    [true, Buffer.from('hello\u{24B62}world')],
    [true, KOSME],
  ],
]);
{
  const boundaries = new Set([2, 5, 7, 9, 11]); // code point ends inside κόσμε
  const vs: Vec[] = [];
  for (let i = 1; i <= KOSME.length; i++) vs.push([boundaries.has(i), KOSME.subarray(0, i)]);
  groups.push(['all prefixes of κόσμε', vs]);
}
groups.push([
  'first possible sequence of each length',
  [
    [true, b(0x00)],
    [true, b(0xc2, 0x80)],
    [true, b(0xe0, 0xa0, 0x80)],
    [true, b(0xf0, 0x90, 0x80, 0x80)],
  ],
]);
groups.push([
  'first possible 5/6-byte sequence',
  [
    [false, b(0xf8, 0x88, 0x80, 0x80, 0x80)],
    [false, b(0xfc, 0x84, 0x80, 0x80, 0x80, 0x80)],
  ],
]);
groups.push([
  'last possible sequence of each length',
  [
    [true, b(0x7f)],
    [true, b(0xdf, 0xbf)],
    [true, b(0xef, 0xbf, 0xbf)],
    [true, b(0xf4, 0x8f, 0xbf, 0xbf)],
  ],
]);
groups.push([
  'last possible 4/5/6-byte sequence (> U+10FFFF)',
  [
    [false, b(0xf7, 0xbf, 0xbf, 0xbf)],
    [false, b(0xfb, 0xbf, 0xbf, 0xbf, 0xbf)],
    [false, b(0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf)],
  ],
]);
groups.push([
  'other boundary conditions',
  [
    [true, b(0xed, 0x9f, 0xbf)],
    [true, b(0xee, 0x80, 0x80)],
    [true, b(0xef, 0xbf, 0xbd)],
    [true, b(0xf4, 0x8f, 0xbf, 0xbf)],
    [false, b(0xf4, 0x90, 0x80, 0x80)],
  ],
]);
{
  const all = Buffer.from(Array.from({ length: 0xbf - 0x80 }, (_, i) => 0x80 + i));
  groups.push([
    'unexpected continuation bytes',
    [
      [false, b(0x80)],
      [false, b(0xbf)],
      [false, b(0x80, 0xbf)],
      [false, b(0x80, 0xbf, 0x80)],
      [false, b(0x80, 0xbf, 0x80, 0xbf)],
      [false, b(0x80, 0xbf, 0x80, 0xbf, 0x80)],
      [false, b(0x80, 0xbf, 0x80, 0xbf, 0x80, 0xbf)],
      [false, all],
    ],
  ]);
}
{
  const ranges: Array<[number, number]> = [
    [0xc0, 0xdf],
    [0xe0, 0xef],
    [0xf0, 0xf7],
    [0xf8, 0xfb],
    [0xfc, 0xfd],
  ];
  groups.push([
    'lonely start bytes followed by a space',
    ranges.map(([lo, hi]) => [
      false,
      Buffer.from(Array.from({ length: hi - lo }, (_, i) => [lo + i, 0x20]).flat()),
    ]),
  ]);
}
const missingLast = [
  b(0xc0),
  b(0xe0, 0x80),
  b(0xf0, 0x80, 0x80),
  b(0xf8, 0x80, 0x80, 0x80),
  b(0xfc, 0x80, 0x80, 0x80, 0x80),
  b(0xdf),
  b(0xef, 0xbf),
  b(0xf7, 0xbf, 0xbf),
  b(0xfb, 0xbf, 0xbf, 0xbf),
  b(0xfd, 0xbf, 0xbf, 0xbf, 0xbf),
];
groups.push([
  'sequences with the last continuation byte missing',
  missingLast.map((v) => [false, v]),
]);
groups.push(['concatenation of incomplete sequences', [[false, Buffer.concat(missingLast)]]]);
groups.push([
  'impossible bytes',
  [
    [false, b(0xfe)],
    [false, b(0xff)],
    [false, b(0xfe, 0xfe, 0xff, 0xff)],
  ],
]);
groups.push([
  'overlong ASCII "/"',
  [
    [false, b(0xc0, 0xaf)],
    [false, b(0xe0, 0x80, 0xaf)],
    [false, b(0xf0, 0x80, 0x80, 0xaf)],
    [false, b(0xf8, 0x80, 0x80, 0x80, 0xaf)],
    [false, b(0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf)],
  ],
]);
groups.push([
  'maximum overlong sequences',
  [
    [false, b(0xc1, 0xbf)],
    [false, b(0xe0, 0x9f, 0xbf)],
    [false, b(0xf0, 0x8f, 0xbf, 0xbf)],
    [false, b(0xf8, 0x87, 0xbf, 0xbf, 0xbf)],
    [false, b(0xfc, 0x83, 0xbf, 0xbf, 0xbf, 0xbf)],
  ],
]);
groups.push([
  'overlong NUL',
  [
    [false, b(0xc0, 0x80)],
    [false, b(0xe0, 0x80, 0x80)],
    [false, b(0xf0, 0x80, 0x80, 0x80)],
    [false, b(0xf8, 0x80, 0x80, 0x80, 0x80)],
    [false, b(0xfc, 0x80, 0x80, 0x80, 0x80, 0x80)],
  ],
]);
const hi = [b(0xed, 0xa0, 0x80), b(0xed, 0xad, 0xbf), b(0xed, 0xae, 0x80), b(0xed, 0xaf, 0xbf)];
const lo = [b(0xed, 0xb0, 0x80), b(0xed, 0xbe, 0x80), b(0xed, 0xbf, 0xbf)];
groups.push(['single UTF-16 surrogates', [...hi, ...lo].map((v) => [false, v])]);
groups.push([
  'paired UTF-16 surrogates',
  hi.flatMap((h) => [lo[0]!, lo[2]!].map((l): Vec => [false, Buffer.concat([h, l])])),
]);
{
  const vs: Vec[] = [
    [true, b(0xef, 0xbf, 0xbe)],
    [true, b(0xef, 0xbf, 0xbf)],
  ];
  for (const z1 of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4])
    for (const z2 of [0x8f, 0x9f, 0xaf, 0xbf]) {
      if (z1 === 0xf4 && z2 !== 0x8f) continue; // would be > U+10FFFF
      if (z1 === 0xf0 && z2 === 0x8f) continue; // overlong
      for (const z3 of [0xbe, 0xbf]) vs.push([true, b(z1, z2, 0xbf, z3)]);
    }
  groups.push(['non-character code points (valid UTF-8)', vs]);
}
groups.push([
  'Unicode specials',
  [0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf].map((x): Vec => [true, b(0xef, 0xbf, x)]),
]);

groups.forEach(([name, vectors], gi) => {
  vectors.forEach(([valid, payload], vi) => {
    test(`6.${gi + 5}.${vi + 1} ${name}: ${payload.length > 16 ? payload.subarray(0, 16).toString('hex') + '...' : payload.toString('hex')} -> ${valid ? 'echo' : '1007'}`, async () => {
      const ws = await open(server);
      ws.sendFrame({ opcode: Op.TEXT, payload });
      await expectEchoOrFail(ws, payload, valid);
    });
  });
});

test('6.99 server still accepts and echoes after the UTF-8 group', async () => {
  assert.equal(groups.length, 19); // 6.5 .. 6.23 as in Autobahn
  await assertStillServing(server);
});
