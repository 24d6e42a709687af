// Autobahn group 13 (permessage-deflate parameters, RFC 7692): what the server answers to
// each offer, and that compressed traffic then works under exactly the negotiated rules --
// window sizes are checked by inflating the server's messages with the negotiated window,
// server_no_context_takeover by inflating each message with no history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, Op, parseExtensions, type RawWs } from '../helpers/raw-ws.js';
import { assertStillServing, jsonText, open, prngBytes, serverForThisFile } from './support.js';

const server = serverForThisFile([
  '--close-timeout-ms',
  '1500',
  '--deflate',
  '--deflate-threshold',
  '0',
]);

interface Expect {
  serverNoContextTakeover?: boolean;
  /** The response's server_max_window_bits must be present and <= this. */
  serverMaxWindowBitsAtMost?: number;
  /** The offer had client_max_window_bits with this value (true: without a value). */
  clientMaxWindowBitsOffered?: number | true;
}

/** Connects with an offer, asserts an accepted response within RFC 7692's rules. */
async function accepted(offer: string, exp: Expect = {}): Promise<RawWs> {
  const ws = await open(server, { extensions: offer });
  const header = ws.negotiatedExtensions;
  assert.ok(header !== undefined, `offer ${JSON.stringify(offer)} was declined`);
  const [ext] = parseExtensions(header);
  const p = ws.pmd!.params;
  if (exp.serverNoContextTakeover)
    assert.ok(p.serverNoContextTakeover, `response ${header} lacks server_no_context_takeover`);
  if (exp.serverMaxWindowBitsAtMost !== undefined) {
    assert.ok(
      p.serverMaxWindowBits !== undefined,
      `response ${header} lacks server_max_window_bits`,
    );
    assert.ok(p.serverMaxWindowBits <= exp.serverMaxWindowBitsAtMost, `response ${header}`);
  }
  const cmwb = ext!.params.find(([k]) => k === 'client_max_window_bits');
  if (exp.clientMaxWindowBitsOffered === undefined)
    assert.equal(cmwb, undefined, `client_max_window_bits not offered but answered: ${header}`);
  else if (
    typeof exp.clientMaxWindowBitsOffered === 'number' &&
    p.clientMaxWindowBits !== undefined
  )
    assert.ok(p.clientMaxWindowBits <= exp.clientMaxWindowBitsOffered, `response ${header}`);
  if (
    exp.clientMaxWindowBitsOffered !== undefined &&
    p.clientMaxWindowBits === undefined &&
    typeof exp.clientMaxWindowBitsOffered === 'number'
  )
    p.clientMaxWindowBits = exp.clientMaxWindowBitsOffered; // the offer's own limit binds the client
  return ws;
}

async function declined(offer: string): Promise<void> {
  const ws = await open(server, { extensions: offer });
  assert.equal(
    ws.negotiatedExtensions,
    undefined,
    `offer ${JSON.stringify(offer)} should be declined`,
  );
  // No extension: a 2 KiB message comes back uncompressed (the reader rejects RSV1) ...
  const data = jsonText(2048, 1);
  ws.sendMessage(Op.TEXT, data);
  const m = await ws.expectMessage(Op.TEXT, data);
  assert.equal(m.compressed, false);
  // ... and RSV1 from the client is a protocol error.
  ws.sendFrame({
    opcode: Op.TEXT,
    rsv1: true,
    payload: Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]),
  });
  await ws.expectClose(1002);
}

/**
 * Compressed traffic under the negotiated parameters: small and 64 KiB JSON messages and
 * random binary, with client context takeover where allowed, one fragmented compressed
 * message, one uncompressed message; every echo must come back compressed (threshold 0).
 */
async function exercise(ws: RawWs): Promise<void> {
  const msgs: Array<[number, Buffer, number | undefined]> = [
    [Op.TEXT, jsonText(1000, 11), undefined],
    [Op.TEXT, jsonText(1000, 11), undefined], // identical: refers back under takeover
    [Op.TEXT, jsonText(64 * 1024, 12), undefined],
    [Op.BINARY, prngBytes(5000, 13), undefined],
    [Op.TEXT, jsonText(20000, 14), 4],
  ];
  for (const [opcode, data, fragments] of msgs) {
    ws.sendMessage(opcode, data, fragments ? { compress: true, fragments } : { compress: true });
    const m = await ws.expectMessage(opcode, data);
    assert.equal(m.compressed, true, 'threshold 0: the echo must be compressed');
  }
  const plain = jsonText(3000, 15);
  ws.sendMessage(Op.TEXT, plain);
  assert.equal((await ws.expectMessage(Op.TEXT, plain)).compressed, true);
  await ws.closeNormally();
}

test('13.1 offer "permessage-deflate" -> accepted; compressed echo with context takeover', async () => {
  await exercise(await accepted('permessage-deflate'));
});

test('13.2 offer server_no_context_takeover -> answered; each server message inflates alone', async () => {
  await exercise(
    await accepted('permessage-deflate; server_no_context_takeover', {
      serverNoContextTakeover: true,
    }),
  );
});

test('13.3 offer server_max_window_bits=8 -> declined (zlib cannot write window 8)', () =>
  declined('permessage-deflate; server_max_window_bits=8'));

test('13.4 offer server_max_window_bits=15 -> answered with <= 15', async () => {
  await exercise(
    await accepted('permessage-deflate; server_max_window_bits=15', {
      serverMaxWindowBitsAtMost: 15,
    }),
  );
});

test('13.5 offer server_no_context_takeover; server_max_window_bits=8 -> declined', () =>
  declined('permessage-deflate; server_no_context_takeover; server_max_window_bits=8'));

test('13.6 offer server_no_context_takeover; server_max_window_bits=15 -> both answered', async () => {
  await exercise(
    await accepted('permessage-deflate; server_no_context_takeover; server_max_window_bits=15', {
      serverNoContextTakeover: true,
      serverMaxWindowBitsAtMost: 15,
    }),
  );
});

test('13.7 offers (snct + smwb=8), (snct), () -> the second, first acceptable, is chosen', async () => {
  const ws = await accepted(
    'permessage-deflate; server_no_context_takeover; server_max_window_bits=8, permessage-deflate; server_no_context_takeover, permessage-deflate',
    { serverNoContextTakeover: true },
  );
  assert.notEqual(ws.pmd!.params.serverMaxWindowBits, 8);
  await exercise(ws);
});

for (let bits = 9; bits <= 15; bits++) {
  test(`13.8.${bits - 8} offer server_max_window_bits=${bits} -> answered with <= ${bits}; server output fits that window`, async () => {
    await exercise(
      await accepted(`permessage-deflate; server_max_window_bits=${bits}`, {
        serverMaxWindowBitsAtMost: bits,
      }),
    );
  });
}

test('13.9.1 offer client_max_window_bits without a value -> accepted (value, if answered, 8..15)', async () => {
  await exercise(
    await accepted('permessage-deflate; client_max_window_bits', {
      clientMaxWindowBitsOffered: true,
    }),
  );
});

for (const bits of [8, 10, 15]) {
  test(`13.9.${bits === 8 ? 2 : bits === 10 ? 3 : 4} offer client_max_window_bits=${bits} -> accepted, answered value <= ${bits}; client compresses with it`, async () => {
    await exercise(
      await accepted(`permessage-deflate; client_max_window_bits=${bits}`, {
        clientMaxWindowBitsOffered: bits,
      }),
    );
  });
}

test('13.9.5 offer client_no_context_takeover -> accepted; client compresses every message alone', async () => {
  const ws = await accepted('permessage-deflate; client_no_context_takeover');
  ws.pmd!.params.clientNoContextTakeover = true; // the offer binds the client even if not echoed
  await exercise(ws);
});

test('13.9.6 offer with all four parameters -> accepted with all honoured', async () => {
  const ws = await accepted(
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10',
    {
      serverNoContextTakeover: true,
      serverMaxWindowBitsAtMost: 10,
      clientMaxWindowBitsOffered: 10,
    },
  );
  ws.pmd!.params.clientNoContextTakeover = true;
  await exercise(ws);
});

test('13.9.7 offers "x-webkit-deflate-frame, permessage-deflate" -> permessage-deflate only', async () => {
  const ws = await accepted('x-webkit-deflate-frame, permessage-deflate');
  assert.match(ws.negotiatedExtensions!, /^permessage-deflate\b/);
  await exercise(ws);
});

test('13.9.8 invalid first offer, valid second -> the second is accepted', async () => {
  const ws = await accepted(
    'permessage-deflate; foo=1, permessage-deflate; client_no_context_takeover',
  );
  ws.pmd!.params.clientNoContextTakeover = true;
  await exercise(ws);
});

test('13.9.9 quoted parameter value server_max_window_bits="10" (RFC 6455 9.1 allows quoted-string) -> accepted', async () => {
  await exercise(
    await accepted('permessage-deflate; server_max_window_bits="10"', {
      serverMaxWindowBitsAtMost: 10,
    }),
  );
});

test('13.9.10 the server never compresses control frames (ping/pong with RSV1 clear)', async () => {
  const ws = await accepted('permessage-deflate');
  ws.sendFrame({ opcode: Op.PING, payload: jsonText(120, 5) });
  const f = await ws.nextFrame();
  assert.equal(f.opcode, Op.PONG);
  assert.equal(f.rsv1, false);
  assert.ok(f.payload.equals(jsonText(120, 5)));
  await ws.closeNormally();
});

const INVALID_OFFERS: Array<[string, string]> = [
  ['server_max_window_bits=16', 'permessage-deflate; server_max_window_bits=16'],
  ['server_max_window_bits=7', 'permessage-deflate; server_max_window_bits=7'],
  ['server_max_window_bits=abc', 'permessage-deflate; server_max_window_bits=abc'],
  ['server_max_window_bits without a value', 'permessage-deflate; server_max_window_bits'],
  ['client_max_window_bits=16', 'permessage-deflate; client_max_window_bits=16'],
  ['client_max_window_bits=0', 'permessage-deflate; client_max_window_bits=0'],
  ['server_no_context_takeover=1', 'permessage-deflate; server_no_context_takeover=1'],
  ['client_no_context_takeover=yes', 'permessage-deflate; client_no_context_takeover=yes'],
  ['unknown parameter', 'permessage-deflate; foo'],
  [
    'duplicate server_no_context_takeover',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
  ],
  [
    'duplicate client_max_window_bits',
    'permessage-deflate; client_max_window_bits=10; client_max_window_bits=11',
  ],
  [
    'duplicate server_max_window_bits',
    'permessage-deflate; server_max_window_bits=10; server_max_window_bits=10',
  ],
];
INVALID_OFFERS.forEach(([name, offer], i) => {
  test(`13.10.${i + 1} offer with ${name} -> declined (101 without the extension)`, () =>
    declined(offer));
});

test('13.10.13 only an unknown extension offered -> no extension, uncompressed echo', () =>
  declined('x-unknown-ext; a=1'));

test('13.11.1 RSV1 from the client is legal once negotiated (raw frame check)', async () => {
  const ws = await accepted('permessage-deflate');
  // "Hello" compressed by hand (RFC 7692 7.2.3.1 example).
  ws.sendRaw(
    encodeFrame({
      opcode: Op.TEXT,
      rsv1: true,
      payload: Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]),
    }),
  );
  await ws.expectMessage(Op.TEXT, 'Hello');
  await ws.closeNormally();
});

test('13.99 server still accepts and echoes after the deflate-parameter group', () =>
  assertStillServing(server));
