// Opening handshake (not an Autobahn group): the 101 and its Accept value, every rejection
// in the contract with its status, a plain-text body and Connection: close, the head size
// and time limits, Origin allow-listing, and plain HTTP on the same port.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { EchoProcess } from '../helpers/echo-process.js';
import {
  acceptFor,
  buildHandshakeRequest,
  destroyAllClients,
  encodeFrame,
  headerHasToken,
  httpExchange,
  Op,
  type HandshakeRequestOptions,
  type HttpExchange,
} from '../helpers/raw-ws.js';
import { assertStillServing, open, startServer } from './support.js';

const HANDSHAKE_TIMEOUT_MS = 1500;
let server: EchoProcess;
let originServer: EchoProcess;
before(async () => {
  [server, originServer] = await Promise.all([
    startServer(['--handshake-timeout-ms', String(HANDSHAKE_TIMEOUT_MS)]),
    startServer(['--origin', 'http://good.example,https://also.example']),
  ]);
});
after(async () => {
  await Promise.all([server?.stop(), originServer?.stop()]);
});
afterEach(() => destroyAllClients());

const request = (opts: HandshakeRequestOptions = {}) => buildHandshakeRequest(opts).text;

/** A rejection: the status, a short text/plain body, Connection: close, and TCP closed. */
function assertRejected(r: HttpExchange, status: number): void {
  assert.equal(r.status, status, `got ${r.statusLine}`);
  assert.ok(
    r.headers['content-type']?.startsWith('text/plain'),
    `Content-Type: ${r.headers['content-type']}`,
  );
  assert.ok(r.body.length > 0 && r.body.length < 200, `body ${JSON.stringify(r.body)}`);
  assert.ok(
    headerHasToken(r.headers['connection'], 'close'),
    `Connection: ${r.headers['connection']}`,
  );
  assert.equal(r.headers['sec-websocket-accept'], undefined);
  assert.ok(r.closedByServer, 'server must close the connection after a rejection');
}

async function rejectsWith(
  opts: HandshakeRequestOptions,
  status: number,
  port = server.port,
): Promise<HttpExchange> {
  const r = await httpExchange(port, request(opts));
  assertRejected(r, status);
  return r;
}

async function rejects(
  opts: HandshakeRequestOptions,
  status: number,
  port = server.port,
): Promise<void> {
  await rejectsWith(opts, status, port);
}

async function accepts(opts: HandshakeRequestOptions, port = server.port): Promise<void> {
  const { text, key } = buildHandshakeRequest(opts);
  const r = await httpExchange(port, text, { waitCloseMs: 0 });
  assert.equal(r.status, 101, `got ${r.statusLine} ${r.body}`);
  assert.equal(r.headers['sec-websocket-accept'], acceptFor(key));
}

test('H.1 valid handshake -> 101 with Upgrade, Connection, the right Accept and no extension; echo works', async () => {
  const ws = await open(server); // connect() asserts status, Upgrade, Connection and Accept
  assert.equal(ws.head.statusLine.startsWith('HTTP/1.1 101'), true);
  assert.equal(ws.head.headers['sec-websocket-extensions'], undefined);
  assert.equal(ws.head.headers['sec-websocket-protocol'], undefined);
  ws.sendMessage(Op.TEXT, 'hi');
  await ws.expectMessage(Op.TEXT, 'hi');
  await ws.closeNormally();
});

test('H.2 the RFC 6455 sample key gets the sample Accept value', async () => {
  const r = await httpExchange(server.port, request({ key: 'dGhlIHNhbXBsZSBub25jZQ==' }), {
    waitCloseMs: 0,
  });
  assert.equal(r.status, 101);
  assert.equal(r.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('H.3 POST -> 405 with Allow: GET', async () => {
  const r = await rejectsWith({ method: 'POST', headers: { 'Content-Length': '0' } }, 405);
  assert.equal(r.headers['allow'], 'GET');
});

test('H.4 PUT -> 405 with Allow: GET', async () => {
  const r = await rejectsWith({ method: 'PUT', headers: { 'Content-Length': '0' } }, 405);
  assert.equal(r.headers['allow'], 'GET');
});

test('H.5 HTTP/1.0 -> 400', () => rejects({ version: 'HTTP/1.0' }, 400));
test('H.6 missing Host -> 400', () => rejects({ headers: { Host: null } }, 400));
test('H.7 Upgrade: h2c -> 400', () => rejects({ headers: { Upgrade: 'h2c' } }, 400));
test('H.8 Upgrade: websocketx -> 400', () => rejects({ headers: { Upgrade: 'websocketx' } }, 400));
test('H.9 missing Connection -> 400', () => rejects({ headers: { Connection: null } }, 400));
test('H.10 Connection: keep-alive (no upgrade token) -> 400', () =>
  rejects({ headers: { Connection: 'keep-alive' } }, 400));
test('H.11 Connection: upgraded (not the token) -> 400', () =>
  rejects({ headers: { Connection: 'upgraded' } }, 400));

test('H.12 comma lists: Upgrade: foo/1, WebSocket and Connection: keep-alive, Upgrade -> 101', () =>
  accepts({ headers: { Upgrade: 'foo/1, WebSocket', Connection: 'keep-alive, Upgrade' } }));

test('H.13 case-insensitive tokens and header names -> 101', () =>
  accepts({
    headers: {
      Upgrade: null,
      Connection: null,
      'Sec-WebSocket-Version': null,
      UPGRADE: 'WEBSOCKET',
      connection: 'UPGRADE',
      'sec-websocket-version': '13',
    },
  }));

test('H.14 missing Sec-WebSocket-Key -> 400', () =>
  rejects({ headers: { 'Sec-WebSocket-Key': null } }, 400));
test('H.15 Sec-WebSocket-Key of 15 bytes -> 400', () =>
  rejects({ key: Buffer.alloc(15, 1).toString('base64') }, 400));
test('H.16 Sec-WebSocket-Key of 17 bytes -> 400', () =>
  rejects({ key: Buffer.alloc(17, 1).toString('base64') }, 400));
test('H.17 Sec-WebSocket-Key that is not base64 -> 400', () =>
  rejects({ key: '!!!!!!!!!!!!!!!!!!!!!!==' }, 400));
test('H.18 Sec-WebSocket-Key of 16 bytes without padding -> 400', () =>
  rejects({ key: Buffer.alloc(16, 7).toString('base64').replace(/=+$/, '') }, 400));

for (const [id, version] of [
  ['H.19', '12'],
  ['H.20', '8'],
  ['H.21', '14'],
] as const) {
  test(`${id} Sec-WebSocket-Version: ${version} -> 426 with Sec-WebSocket-Version: 13`, async () => {
    const r = await rejectsWith({ headers: { 'Sec-WebSocket-Version': version } }, 426);
    assert.ok(
      headerHasToken(r.headers['sec-websocket-version'], '13'),
      `Sec-WebSocket-Version: ${r.headers['sec-websocket-version']}`,
    );
  });
}
test('H.22 missing Sec-WebSocket-Version -> 426 with Sec-WebSocket-Version: 13', async () => {
  const r = await rejectsWith({ headers: { 'Sec-WebSocket-Version': null } }, 426);
  assert.ok(headerHasToken(r.headers['sec-websocket-version'], '13'));
});

test('H.23 unknown path -> 404', () => rejects({ path: '/nope' }, 404));
test('H.24 /broadcast is a WebSocket route -> 101', () => accepts({ path: '/broadcast' }));

test('H.25 head over --max-head-bytes (17 KiB header) -> 431', () =>
  rejects({ headers: { 'X-Pad': 'a'.repeat(17 * 1024) } }, 431));

test('H.26 head growing past --max-head-bytes without ever ending -> 431 at once (not 408)', async () => {
  const start = request().replace(/\r\n\r\n$/, '\r\n');
  const r = await httpExchange(server.port, [start, `X-Pad: ${'b'.repeat(20 * 1024)}`], {
    timeoutMs: HANDSHAKE_TIMEOUT_MS + 2000,
  });
  assertRejected(r, 431);
  assert.ok(r.responseMs < HANDSHAKE_TIMEOUT_MS, `answered after ${r.responseMs} ms`);
});

test('H.27 head just under --max-head-bytes (15 KiB header) -> 101', () =>
  accepts({ headers: { 'X-Pad': 'c'.repeat(15 * 1024) } }));

test('H.28 head never completed -> 408 after --handshake-timeout-ms, then closed', async () => {
  const partial = request().slice(0, 40);
  const r = await httpExchange(server.port, partial, { timeoutMs: HANDSHAKE_TIMEOUT_MS + 3000 });
  assertRejected(r, 408);
  assert.ok(r.responseMs >= HANDSHAKE_TIMEOUT_MS - 100, `408 after only ${r.responseMs} ms`);
  assert.ok(r.responseMs < HANDSHAKE_TIMEOUT_MS + 1500, `408 after ${r.responseMs} ms`);
});

test('H.29 head sent one byte at a time (within the timeout) -> 101 and echo', async () => {
  const ws = await open(server, { headChunkDelayMs: 2, timeoutMs: HANDSHAKE_TIMEOUT_MS + 1000 });
  ws.sendMessage(Op.TEXT, 'slow head');
  await ws.expectMessage(Op.TEXT, 'slow head');
  await ws.closeNormally();
});

test('H.30 first frame in the same TCP write as the head -> 101 then echo', async () => {
  const { text, key } = buildHandshakeRequest({ host: `127.0.0.1:${server.port}` });
  const { connect } = await import('node:net');
  const sock = connect({ host: '127.0.0.1', port: server.port });
  try {
    await new Promise<void>((resolve, reject) =>
      sock.once('connect', resolve).once('error', reject),
    );
    sock.write(
      Buffer.concat([Buffer.from(text), encodeFrame({ opcode: Op.TEXT, payload: 'eager' })]),
    );
    const got = await new Promise<Buffer>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const t = setTimeout(() => reject(new Error(`timeout: ${buf.toString('latin1')}`)), 2000);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const i = buf.indexOf('\r\n\r\n');
        if (i >= 0 && buf.length >= i + 4 + 7) {
          clearTimeout(t);
          resolve(buf);
        }
      });
    });
    const i = got.indexOf('\r\n\r\n');
    assert.match(got.subarray(0, i).toString('latin1'), /^HTTP\/1\.1 101/);
    assert.ok(got.subarray(0, i).toString('latin1').includes(acceptFor(key)));
    assert.deepEqual([...got.subarray(i + 4, i + 4 + 7)], [0x81, 5, ...Buffer.from('eager')]);
  } finally {
    sock.destroy();
  }
});

test('H.31 Origin in the allow-list -> 101 (both listed origins)', async () => {
  await accepts({ headers: { Origin: 'http://good.example' } }, originServer.port);
  await accepts({ headers: { Origin: 'https://also.example' } }, originServer.port);
});

test('H.32 Origin not in the allow-list -> 403', () =>
  rejects({ headers: { Origin: 'http://evil.example' } }, 403, originServer.port));

test('H.33 Origin differing only by scheme -> 403', () =>
  rejects({ headers: { Origin: 'https://good.example' } }, 403, originServer.port));

test('H.34 plain GET /healthz on the same port -> 200 "ok"', async () => {
  const r = await httpExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', {
    waitCloseMs: 0,
  });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'ok');
});

test('H.35 plain GET /echo without Upgrade -> 426 Upgrade Required from the HTTP server', async () => {
  const r = await httpExchange(server.port, 'GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', {
    waitCloseMs: 0,
  });
  assert.equal(r.status, 426);
});

test('H.36 WebSocket headers but no Upgrade header -> 400 (an upgrade attempt, not plain HTTP)', () =>
  rejects({ headers: { Upgrade: null } }, 400));

test('H.99 both servers still accept and echo after the handshake group', async () => {
  await assertStillServing(server);
  await assertStillServing(originServer, { headers: { Origin: 'http://good.example' } });
});
