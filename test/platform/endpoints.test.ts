// The non-account endpoints of a real `ringside serve`: /healthz, /readyz, /metrics
// (names, and a value that moves with a refused handshake), the page at /, JSON 404s,
// and no log line per request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { api } from '../helpers/http.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

/** Sends a WebSocket upgrade request and resolves with the (non-101) status. */
function upgradeStatus(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
        ...headers,
      },
      timeout: 5_000,
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on('timeout', () => request.destroy(new Error('no answer to the upgrade')));
    request.on('error', reject);
    request.end();
  });
}

/** One sample's value from Prometheus text, e.g. metric('x_total') or metric('x{route="/a"}'). */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const WEBSOCKET_METRICS: Array<[string, 'gauge' | 'counter']> = [
  ['ringside_websocket_connections', 'gauge'],
  ['ringside_websocket_rooms', 'gauge'],
  ['ringside_websocket_connections_opened_total', 'counter'],
  ['ringside_websocket_connections_closed_total', 'counter'],
  ['ringside_websocket_messages_received_total', 'counter'],
  ['ringside_websocket_received_bytes_total', 'counter'],
  ['ringside_websocket_messages_sent_total', 'counter'],
  ['ringside_websocket_sent_bytes_total', 'counter'],
  ['ringside_websocket_rejected_handshakes_total', 'counter'],
  ['ringside_websocket_rate_limited_messages_total', 'counter'],
];

describe('endpoints', () => {
  let serve: ServeProcess;
  before(async () => {
    serve = await startServe();
  });
  after(async () => {
    await serve?.stop();
  });

  it('answers /healthz and /readyz with 200', async () => {
    const health = await api(serve.url, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await api(serve.url, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    // Test servers start the sandbox lazily (RINGSIDE_SANDBOX_LAZY): nothing ran code yet.
    assert.equal(ready.body.sandbox, 'idle');
  });

  it('serves Prometheus metrics with every WebSocket series and process metrics', async () => {
    const response = await api(serve.url, 'GET', '/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = response.body as string;
    for (const [name, type] of WEBSOCKET_METRICS) {
      assert.ok(text.includes(`# TYPE ${name} ${type}\n`), `missing # TYPE ${name} ${type}`);
      assert.ok(text.includes(`# HELP ${name} `), `missing # HELP ${name}`);
    }
    assert.equal(metric(text, 'ringside_websocket_rooms'), 0);
    assert.equal(metric(text, 'ringside_websocket_messages_received_total'), 0);
    assert.ok((metric(text, 'ringside_process_resident_memory_bytes') ?? 0) > 0, 'process metrics');
  });

  it('counts refused handshakes in /metrics', async () => {
    const read = async () =>
      metric(
        (await api(serve.url, 'GET', '/metrics')).body,
        'ringside_websocket_rejected_handshakes_total',
      )!;
    const before = await read();
    assert.equal(await upgradeStatus(serve.port, '/no-such-route'), 404);
    assert.equal(
      await upgradeStatus(serve.port, '/api/me'),
      404,
      'REST paths are not WebSocket routes',
    );
    assert.equal(
      await upgradeStatus(serve.port, '/no-such-route', { 'sec-websocket-version': '8' }),
      426,
    );
    assert.equal(await read(), before + 3);
  });

  it('serves the page at / and JSON 404s elsewhere', async () => {
    const page = await fetch(`${serve.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<title>ringside<\/title>/);
    // The browser app (web/, built by npm install): its hashed entry script.
    assert.match(html, /<script type="module"[^>]* src="\/assets\/index-[\w-]+\.js"/);
    const missing = await api(serve.url, 'GET', '/api/no-such-thing');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: 'not found' });
  });

  it('answers a wrong content type and an oversized body with JSON errors', async () => {
    const wrongType = await fetch(`${serve.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<login/>',
    });
    assert.equal(wrongType.status, 415);
    assert.equal(typeof ((await wrongType.json()) as { error: unknown }).error, 'string');
    const huge = await api(serve.url, 'POST', '/api/auth/register', {
      username: 'big',
      password: 'x'.repeat(2 * 1024 * 1024),
    });
    assert.equal(huge.status, 413);
    assert.equal(typeof huge.body.error, 'string');
  });

  it('writes no log line per request', async () => {
    const lines = () => serve.output().split('\n').filter(Boolean).length;
    const before = lines();
    for (let i = 0; i < 5; i++) {
      await api(serve.url, 'GET', '/healthz');
      await api(serve.url, 'POST', '/api/auth/login', {
        username: 'nobody',
        password: 'whatever-password',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(lines(), before, serve.output());
  });
});
