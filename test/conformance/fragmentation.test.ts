// Autobahn group 5 (fragmentation): fragmented text/binary echoed whole, control frames
// between fragments answered at once, every continuation-order violation and every
// fragmented control frame -> 1002, and --max-fragments enforced with 1009.
import { test } from 'node:test';
import { closePayload, encodeFrame, Op, type RawWs } from '../helpers/raw-ws.js';
import { assertStillServing, open, prngBytes, utf8Text, serverForThisFile } from './support.js';

const MAX_FRAGMENTS = 64;
const server = serverForThisFile([
  '--close-timeout-ms',
  '1500',
  '--max-fragments',
  String(MAX_FRAGMENTS),
]);

type Delivery = 'once' | 'paused' | 'octets';

/** Sends a list of frames: all in one write, with 100 ms between frames, or byte by byte. */
async function deliver(ws: RawWs, frames: Buffer[], how: Delivery): Promise<void> {
  if (how === 'once') ws.sendRaw(Buffer.concat(frames));
  else if (how === 'paused') {
    for (const f of frames) {
      ws.sendRaw(f);
      await new Promise((r) => setTimeout(r, 100));
    }
  } else await ws.sendChunked(Buffer.concat(frames), 1, 0.5);
}

const text = (payload: string, fin: boolean, opcode: number = Op.TEXT) =>
  encodeFrame({ opcode, fin, payload });
const cont = (payload: string, fin: boolean) =>
  encodeFrame({ opcode: Op.CONTINUATION, fin, payload });
const ping = (payload: string) => encodeFrame({ opcode: Op.PING, payload });

test('5.1 ping in 2 fragments -> 1002', async () => {
  const ws = await open(server);
  await deliver(
    ws,
    [encodeFrame({ opcode: Op.PING, fin: false, payload: 'fragment1' }), cont('fragment2', true)],
    'once',
  );
  await ws.expectClose(1002);
});

test('5.2 pong in 2 fragments -> 1002', async () => {
  const ws = await open(server);
  await deliver(
    ws,
    [encodeFrame({ opcode: Op.PONG, fin: false, payload: 'fragment1' }), cont('fragment2', true)],
    'once',
  );
  await ws.expectClose(1002);
});

const twoFragments: Array<[string, Delivery]> = [
  ['5.3', 'once'],
  ['5.4', 'paused'],
  ['5.5', 'octets'],
];
for (const [id, how] of twoFragments) {
  test(`${id} text in 2 fragments (${how}) -> echoed whole`, async () => {
    const ws = await open(server);
    await deliver(ws, [text('fragment1', false), cont('fragment2', true)], how);
    await ws.expectMessage(Op.TEXT, 'fragment1fragment2');
    await ws.closeNormally();
  });
}

const withPing: Array<[string, Delivery]> = [
  ['5.6', 'once'],
  ['5.7', 'paused'],
  ['5.8', 'octets'],
];
for (const [id, how] of withPing) {
  test(`${id} text in 2 fragments with a ping between (${how}) -> pong, then echo`, async () => {
    const ws = await open(server);
    await deliver(
      ws,
      [text('fragment1', false), ping('ping payload'), cont('fragment2', true)],
      how,
    );
    await ws.expectPong('ping payload');
    await ws.expectMessage(Op.TEXT, 'fragment1fragment2');
    await ws.closeNormally();
  });
}

const strayFinal: Array<[string, Delivery]> = [
  ['5.9', 'once'],
  ['5.10', 'paused'],
  ['5.11', 'octets'],
];
for (const [id, how] of strayFinal) {
  test(`${id} continuation (FIN=1) with no message started, then text (${how}) -> 1002, no echo`, async () => {
    const ws = await open(server);
    await deliver(ws, [cont('non-continuation payload', true), text('Hello, world!', true)], how);
    await ws.expectClose(1002);
  });
}

const strayNonFinal: Array<[string, Delivery]> = [
  ['5.12', 'once'],
  ['5.13', 'paused'],
  ['5.14', 'octets'],
];
for (const [id, how] of strayNonFinal) {
  test(`${id} continuation (FIN=0) with no message started, then text (${how}) -> 1002, no echo`, async () => {
    const ws = await open(server);
    await deliver(ws, [cont('non-continuation payload', false), text('Hello, world!', true)], how);
    await ws.expectClose(1002);
  });
}

test('5.15 text in 2 fragments, then a stray continuation -> echo, then 1002', async () => {
  const ws = await open(server);
  await deliver(
    ws,
    [
      text('fragment1', false),
      cont('fragment2', true),
      cont('fragment3', false),
      text('fragment4', true),
    ],
    'once',
  );
  await ws.expectMessage(Op.TEXT, 'fragment1fragment2');
  await ws.expectClose(1002);
});

test('5.16 (continuation FIN=0, text FIN=0, continuation FIN=1) x2 -> 1002 at the first frame', async () => {
  const ws = await open(server);
  const seq = [cont('fragment1', false), text('fragment2', false), cont('fragment3', true)];
  await deliver(ws, [...seq, ...seq], 'once');
  await ws.expectClose(1002);
});

test('5.17 (continuation FIN=1, text FIN=0, continuation FIN=1) x2 -> 1002 at the first frame', async () => {
  const ws = await open(server);
  const seq = [cont('fragment1', true), text('fragment2', false), cont('fragment3', true)];
  await deliver(ws, [...seq, ...seq], 'once');
  await ws.expectClose(1002);
});

test('5.18 text in 2 fragments both with the text opcode -> 1002', async () => {
  const ws = await open(server);
  await deliver(ws, [text('fragment1', false), text('fragment2', true)], 'once');
  await ws.expectClose(1002);
});

for (const [id, pauseMs] of [
  ['5.19', 50],
  ['5.20', 150],
] as const) {
  test(`${id} text in 5 fragments, pings after the 1st and 4th, ${pauseMs} ms pauses -> pongs as they come, then echo`, async () => {
    const ws = await open(server);
    const pause = () => new Promise((r) => setTimeout(r, pauseMs));
    ws.sendRaw(text('fragment1', false));
    ws.sendRaw(ping('pongme 1!'));
    await ws.expectPong('pongme 1!');
    for (const f of [
      cont('fragment2', false),
      cont('fragment3', false),
      cont('fragment4', false),
    ]) {
      await pause();
      ws.sendRaw(f);
    }
    ws.sendRaw(ping('pongme 2!'));
    await ws.expectPong('pongme 2!');
    await pause();
    ws.sendRaw(cont('fragment5', true));
    await ws.expectMessage(Op.TEXT, 'fragment1fragment2fragment3fragment4fragment5');
    await ws.closeNormally();
  });
}

// 5.21+: beyond Autobahn.
test('5.21 binary in 3 fragments -> echoed whole as binary', async () => {
  const ws = await open(server);
  const data = prngBytes(3000, 521);
  ws.sendMessage(Op.BINARY, data, { fragments: [1000, 1000, 1000] });
  await ws.expectMessage(Op.BINARY, data);
  await ws.closeNormally();
});

test('5.22 close frame with FIN=0 -> 1002', async () => {
  const ws = await open(server);
  ws.sendFrame({ opcode: Op.CLOSE, fin: false, payload: closePayload(1000) });
  await ws.expectClose(1002);
});

test('5.23 ping with FIN=0 between two data fragments -> 1002, no echo', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      text('a', false),
      encodeFrame({ opcode: Op.PING, fin: false, payload: 'x' }),
      cont('b', true),
    ]),
  );
  await ws.expectClose(1002);
});

test('5.24 binary frame while a fragmented text message is open -> 1002', async () => {
  const ws = await open(server);
  ws.sendRaw(Buffer.concat([text('a', false), encodeFrame({ opcode: Op.BINARY, payload: 'b' })]));
  await ws.expectClose(1002);
});

test('5.25 pong between fragments is ignored and the message is echoed', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      text('part1-', false),
      encodeFrame({ opcode: Op.PONG, payload: 'x' }),
      cont('part2', true),
    ]),
  );
  await ws.expectMessage(Op.TEXT, 'part1-part2');
  await ws.expectNothing(100);
  await ws.closeNormally();
});

test(`5.26 ${MAX_FRAGMENTS} fragments (exactly --max-fragments) -> echoed whole`, async () => {
  const ws = await open(server);
  const data = utf8Text(MAX_FRAGMENTS * 100, 526);
  ws.sendMessage(Op.TEXT, data, { fragments: MAX_FRAGMENTS });
  await ws.expectMessage(Op.TEXT, data);
  await ws.closeNormally();
});

test(`5.27 ${MAX_FRAGMENTS + 1} fragments (over --max-fragments) -> 1009, no echo`, async () => {
  const ws = await open(server);
  ws.sendMessage(Op.BINARY, prngBytes((MAX_FRAGMENTS + 1) * 10, 527), {
    fragments: MAX_FRAGMENTS + 1,
  });
  await ws.expectClose(1009);
});

test('5.28 1-byte fragments splitting multi-byte code points -> echoed whole', async () => {
  const ws = await open(server);
  const data = Buffer.from('κόσμε€😀ab'); // 22 bytes, every code point split across fragments
  ws.sendMessage(Op.TEXT, data, { fragments: Array(data.length).fill(1) });
  await ws.expectMessage(Op.TEXT, data);
  await ws.closeNormally();
});

test('5.29 empty fragments (text "", "", "", then continuation FIN=1 "") -> empty echo', async () => {
  const ws = await open(server);
  ws.sendRaw(Buffer.concat([text('', false), cont('', false), cont('', false), cont('', true)]));
  await ws.expectMessage(Op.TEXT, '');
  await ws.closeNormally();
});

test('5.30 close between fragments -> close 1000 echoed, the partial message never echoed', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      text('partial', false),
      encodeFrame({ opcode: Op.CLOSE, payload: closePayload(1000) }),
    ]),
  );
  await ws.expectClose(1000, { reply: false });
});

test('5.31 two fragmented messages back to back with interleaved pings -> both echoed in order', async () => {
  const ws = await open(server);
  ws.sendRaw(
    Buffer.concat([
      text('m1a', false),
      ping('p1'),
      cont('m1b', true),
      encodeFrame({ opcode: Op.BINARY, fin: false, payload: 'm2a' }),
      ping('p2'),
      cont('m2b', true),
    ]),
  );
  await ws.expectPong('p1');
  await ws.expectMessage(Op.TEXT, 'm1am1b');
  await ws.expectPong('p2');
  await ws.expectMessage(Op.BINARY, 'm2am2b');
  await ws.closeNormally();
});

test('5.99 server still accepts and echoes after the fragmentation group', () =>
  assertStillServing(server));
