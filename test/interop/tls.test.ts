// wss:// — `ringside echo --tls-cert --tls-key` with a throwaway self-signed certificate,
// and `ws` as the client trusting exactly that certificate (no rejectUnauthorized: false).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';
import { connect, send, patternBytes, withTimeout } from './ws-helpers.js';

function makeCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
      // Node checks IP hosts against subjectAltName only.
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe', timeout: 20_000 },
  );
  return { cert, key };
}

describe('wss:// with --tls-cert/--tls-key', () => {
  let dir: string;
  let ca: Buffer;
  let server: EchoProcess;
  let wssUrl: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-tls-'));
    const { cert, key } = makeCert(dir);
    ca = fs.readFileSync(cert);
    server = await startEcho(['--tls-cert', cert, '--tls-key', key, '--deflate']);
    wssUrl = `wss://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the given certificate and echoes text and binary over TLS', async () => {
    const c = await connect(`${wssUrl}/echo`, { ca, perMessageDeflate: false });
    const socket = c.response.socket as TLSSocket;
    assert.equal(socket.encrypted, true);
    assert.equal(socket.authorized, true, String(socket.authorizationError));
    assert.equal(socket.getPeerCertificate().subject.CN, '127.0.0.1');

    await send(c.ws, 'over tls ✓');
    const t = await c.next();
    assert.deepEqual([t.isBinary, t.data.toString()], [false, 'over tls ✓']);

    const bin = patternBytes(300_000, 21);
    await send(c.ws, bin, { binary: true });
    const b = await c.next();
    assert.equal(b.isBinary, true);
    assert.ok(b.data.equals(bin), 'binary payload differs over TLS');

    c.ws.close(1000, 'done');
    assert.equal((await withTimeout(c.closed, 5000, 'close')).code, 1000);
  });

  it('negotiates permessage-deflate over TLS and echoes a compressed message', async () => {
    const c = await connect(`${wssUrl}/echo`, { ca, perMessageDeflate: { threshold: 0 } });
    assert.equal(c.ws.extensions, 'permessage-deflate');
    const socket = c.response.socket as TLSSocket;
    const before = socket.bytesRead;
    const text = 'compressible over tls '.repeat(20_000); // 440 kB
    await send(c.ws, text);
    const m = await c.next();
    assert.equal(m.data.toString(), text);
    const wire = socket.bytesRead - before;
    assert.ok(wire < 50_000, `echo of ${text.length} repetitive bytes took ${wire} TLS bytes`);
    c.ws.terminate();
  });

  it('answers plain HTTPS on the same port: GET /healthz → 200 ok', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = https.get(
          `https://127.0.0.1:${server.port}/healthz`,
          { ca, timeout: 5000 },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('healthz timed out')));
      },
    );
    assert.equal(status, 200);
    assert.equal(body.trim(), 'ok');
  });
});
