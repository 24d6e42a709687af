// Property-based fuzzing of the running echo server with fast-check: valid frame streams in
// random TCP chunkings, the same streams with random bit flips and truncation, pure random
// bytes, garbage before the handshake, and handshakes left half-open. Each run's outcome is
// compared with frame-model.ts: exactly the expected echoes and pongs, then the expected
// close code (always one of 1002/1007/1009 for failures) and a TCP close, all time-bounded.
// Afterwards the process must be alive and a fresh client must still get its echo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  acceptFor,
  assertSameBytes,
  buildHandshakeRequest,
  closePayload,
  encodeFrame,
  httpExchange,
  Op,
  type RawWs,
} from '../helpers/raw-ws.js';
import { modelServer, type ModelLimits, type ModelResult } from './frame-model.js';
import { assertStillServing, open, prngBytes, serverForThisFile } from './support.js';

const LIMITS: ModelLimits = { maxMessageBytes: 65536, maxFragments: 8 };
const HANDSHAKE_TIMEOUT_MS = 800;
const server = serverForThisFile([
  '--max-message-bytes',
  String(LIMITS.maxMessageBytes),
  '--max-fragments',
  String(LIMITS.maxFragments),
  '--handshake-timeout-ms',
  String(HANDSHAKE_TIMEOUT_MS),
  '--close-timeout-ms',
  '1000',
]);

// ---- generators ----

const cutsArb = fc.array(fc.nat(), { maxLength: 4 });

type Item =
  | { kind: 'text'; text: string; cuts: number[]; ping: boolean }
  | { kind: 'binary'; size: number; seed: number; cuts: number[]; ping: boolean }
  | { kind: 'ping' | 'pong'; data: Uint8Array }
  | { kind: 'close'; code: number; reason: string };

const itemArb: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      text: fc.string({ unit: 'binary', maxLength: 60 }),
      cuts: cutsArb,
      ping: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('binary' as const),
      size: fc.oneof(
        { weight: 6, arbitrary: fc.nat({ max: 300 }) },
        { weight: 1, arbitrary: fc.integer({ min: 60000, max: 70000 }) },
      ),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
      cuts: cutsArb,
      ping: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('ping' as const, 'pong' as const),
      data: fc.uint8Array({ maxLength: 125 }),
    }),
  },
);
const closeArb: fc.Arbitrary<Item> = fc.record({
  kind: fc.constant('close' as const),
  code: fc.constantFrom(1000, 1001, 1003, 3000, 4999),
  reason: fc.string({ maxLength: 20 }),
});

/** Items -> frames (random fragment cuts, random length forms, pings between fragments). */
const streamArb = fc
  .tuple(
    fc.array(itemArb, { minLength: 1, maxLength: 5 }),
    fc.option(closeArb),
    fc.array(fc.constantFrom<'7' | '16' | '64' | undefined>(undefined, '16', '64'), {
      minLength: 8,
      maxLength: 8,
    }),
  )
  .map(([items, close, encs]) => {
    const frames: Buffer[] = [];
    let e = 0;
    const enc = (n: number) => {
      const want = encs[e++ % encs.length];
      if (want === '7' || want === undefined) return undefined;
      if (want === '16' && n > 0xffff) return undefined;
      return want;
    };
    for (const it of (close ? [...items, close] : items) as Item[]) {
      if (it.kind === 'text' || it.kind === 'binary') {
        const body = it.kind === 'text' ? Buffer.from(it.text) : prngBytes(it.size, it.seed);
        const cuts = [...new Set(it.cuts.map((c) => (body.length ? c % body.length : 0)))].sort(
          (a, b) => a - b,
        );
        const parts: Buffer[] = [];
        let prev = 0;
        for (const c of cuts) {
          parts.push(body.subarray(prev, c));
          prev = c;
        }
        parts.push(body.subarray(prev));
        parts.forEach((p, i) => {
          frames.push(
            encodeFrame({
              opcode: i === 0 ? (it.kind === 'text' ? Op.TEXT : Op.BINARY) : Op.CONTINUATION,
              fin: i === parts.length - 1,
              payload: p,
              lengthEncoding: enc(p.length),
            }),
          );
          if (it.ping && i === 0 && parts.length > 1)
            frames.push(encodeFrame({ opcode: Op.PING, payload: 'between' }));
        });
      } else if (it.kind === 'close') {
        frames.push(
          encodeFrame({
            opcode: Op.CLOSE,
            payload: closePayload(it.code, Buffer.from(it.reason).subarray(0, 100)),
          }),
        );
      } else {
        const payload = Buffer.from(it.data);
        frames.push(
          encodeFrame({
            opcode: it.kind === 'ping' ? Op.PING : Op.PONG,
            payload,
            lengthEncoding: enc(payload.length),
          }),
        );
      }
    }
    return Buffer.concat(frames);
  });

const chunkingArb = fc.oneof(
  fc.constant<number[]>([1 << 30]),
  fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
  fc.array(fc.integer({ min: 1, max: 20000 }), { minLength: 1, maxLength: 8 }),
);

const mutationArb = fc.record({
  flips: fc.array(fc.record({ pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
  truncateAt: fc.option(fc.nat()),
});

// ---- running one stream against the server ----

/** Reads the server's reaction and compares it with the model; every wait is bounded. */
async function checkReaction(ws: RawWs, expected: ModelResult): Promise<void> {
  for (const ev of expected.events) {
    if (ev.kind === 'pong') await ws.expectPong(ev.payload, 3000);
    else {
      const m = await ws.nextMessage(3000);
      assert.equal(m.opcode, ev.opcode);
      assertSameBytes(m.data, ev.data, 'echo');
    }
  }
  const end = expected.end;
  if (end.kind === 'open') {
    await ws.expectNothing(50);
    return;
  }
  if (end.kind === 'open-or-close') {
    await new Promise((r) => setTimeout(r, 100));
    if (ws.frames.length === 0 && !ws.serverClosed) return;
  }
  const f = await ws.nextFrame(3000);
  assert.equal(
    f.opcode,
    Op.CLOSE,
    `expected a close (${end.codes.join('/')}), got opcode ${f.opcode}`,
  );
  const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null;
  assert.ok(end.codes.includes(code), `close code ${code}, expected one of ${end.codes.join('/')}`);
  ws.sendClose(code ?? undefined);
  await ws.waitServerClose(3000);
}

async function runStream(bytes: Buffer, chunking: number[]): Promise<void> {
  const expected = modelServer(bytes, LIMITS);
  const ws = await open(server);
  try {
    await ws.sendChunked(bytes, chunking);
    await checkReaction(ws, expected);
  } finally {
    ws.destroy();
  }
}

const FC_OPTS = {
  interruptAfterTimeLimit: 12_000,
  markInterruptAsFailure: false,
  timeout: 15_000,
} as const;

test('F.1 valid frame streams in random TCP chunkings are echoed exactly (model-checked)', async () => {
  await fc.assert(
    fc.asyncProperty(streamArb, chunkingArb, (bytes, chunking) => runStream(bytes, chunking)),
    { numRuns: 40, ...FC_OPTS },
  );
});

test('F.2 valid streams with random bit flips and truncation: echo, or 1002/1007/1009, or still open as the model says', async () => {
  await fc.assert(
    fc.asyncProperty(streamArb, mutationArb, chunkingArb, (bytes, mut, chunking) => {
      const b = Buffer.from(bytes);
      for (const { pos, bit } of mut.flips) b[pos % b.length]! ^= 1 << bit;
      const cut = mut.truncateAt === null ? b : b.subarray(0, mut.truncateAt % (b.length + 1));
      return runStream(cut, chunking);
    }),
    { numRuns: 120, ...FC_OPTS },
  );
});

test('F.3 pure random bytes after the handshake (model-checked)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 200 }),
      chunkingArb,
      (bytes, chunking) => runStream(Buffer.from(bytes), chunking),
    ),
    { numRuns: 60, ...FC_OPTS },
  );
});

test('F.4 the model itself: failures only ever use 1002, 1007 or 1009', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = modelServer(Buffer.from(bytes), LIMITS);
      if (r.end.kind === 'open') return;
      for (const c of r.end.codes)
        assert.ok(c === null || [1002, 1007, 1009].includes(c) || (c >= 1000 && c <= 4999));
    }),
    { numRuns: 500 },
  );
  // and a hand-checked case: masked text "Hi", then an unmasked frame
  const r = modelServer(
    Buffer.concat([
      encodeFrame({ opcode: Op.TEXT, payload: 'Hi' }),
      encodeFrame({ opcode: Op.TEXT, payload: 'x', mask: false }),
    ]),
    LIMITS,
  );
  assert.equal(r.events.length, 1);
  assert.deepEqual(r.end, { kind: 'close', codes: [1002] });
});

test('F.5 garbage before the handshake: a 4xx (never 5xx), a valid 101, or a close -- within bounds', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (garbage) => {
      const { text, key } = buildHandshakeRequest({ host: `127.0.0.1:${server.port}` });
      let r;
      try {
        r = await httpExchange(
          server.port,
          Buffer.concat([Buffer.from(garbage), Buffer.from(text)]),
          {
            timeoutMs: HANDSHAKE_TIMEOUT_MS + 2000,
            waitCloseMs: 0,
          },
        );
      } catch (e) {
        // Closing without any response is acceptable; hanging or half a response is not.
        assert.match(String(e), /server closed without a complete response: ""/);
        return;
      }
      if (r.status === 101) assert.equal(r.headers['sec-websocket-accept'], acceptFor(key));
      else assert.ok(r.status >= 400 && r.status < 500, `status ${r.statusLine}`);
    }),
    { numRuns: 30, ...FC_OPTS },
  );
});

test('F.6 handshakes left half-open (random prefixes) get 408 and are closed after the timeout', async () => {
  const { text } = buildHandshakeRequest();
  const prefixes = fc.sample(fc.integer({ min: 1, max: text.length - 1 }), {
    numRuns: 8,
    seed: 42,
  });
  await Promise.all(
    prefixes.map(async (n) => {
      const r = await httpExchange(server.port, text.slice(0, n), {
        timeoutMs: HANDSHAKE_TIMEOUT_MS + 2500,
      });
      assert.equal(r.status, 408, `prefix of ${n} bytes: ${r.statusLine}`);
      assert.ok(r.closedByServer, `prefix of ${n} bytes: not closed`);
    }),
  );
});

test('F.7 truncated heads followed by a client FIN are closed by the server within bounds', async () => {
  const { text } = buildHandshakeRequest();
  const prefixes = fc.sample(fc.integer({ min: 0, max: text.length - 1 }), { numRuns: 6, seed: 7 });
  const net = await import('node:net');
  await Promise.all(
    prefixes.map(
      (n) =>
        new Promise<void>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port: server.port });
          const t = setTimeout(() => {
            s.destroy();
            reject(new Error(`prefix ${n}: server kept the half-closed connection open`));
          }, HANDSHAKE_TIMEOUT_MS + 2500);
          let data = '';
          s.on('data', (d) => (data += d.toString('latin1')));
          s.on('error', () => {});
          s.on('close', () => {
            clearTimeout(t);
            if (data && !/^HTTP\/1\.1 4\d\d /.test(data)) reject(new Error(`prefix ${n}: ${data}`));
            else resolve();
          });
          s.once('connect', () => s.end(text.slice(0, n)));
        }),
    ),
  );
});

test('F.8 after the fuzzing the process is alive and a fresh client gets its echo', async () => {
  await assertStillServing(server);
  const ws = await open(server);
  const big = prngBytes(LIMITS.maxMessageBytes, 3);
  await ws.sendChunked(encodeFrame({ opcode: Op.BINARY, payload: big }), 7777);
  await ws.expectMessage(Op.BINARY, big);
  await ws.closeNormally();
});
