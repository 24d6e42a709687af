// Spec 004's browser integration test: headless Chromium's own WebSocket against a real
// `ringside echo`. The page is loaded from the echo server (GET /healthz) so the socket's
// Origin is the server's own, as it would be for an app served from the same port.
import { launchChromium } from '../helpers/chromium.js';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';

async function openPage(browser: Browser, server: EchoProcess): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  const res = await page.goto(`http://127.0.0.1:${server.port}/healthz`);
  assert.equal(res?.status(), 200);
  assert.equal((await res?.text())?.trim(), 'ok');
  return page;
}

interface EchoResult {
  extensions: string;
  protocol: string;
  text: string;
  unicode: string;
  binary: number[];
  binaryIsArrayBuffer: boolean;
  largeLength: number;
  largeEqual: boolean;
  emptyText: string;
  closeCode: number;
  closeClean: boolean;
}

/** Runs entirely inside the page: only the browser's WebSocket, no libraries. */
function browserEcho(url: string): Promise<EchoResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const queue: unknown[] = [];
    const waiting: Array<(v: unknown) => void> = [];
    ws.onmessage = (e) => {
      const w = waiting.shift();
      if (w) w(e.data);
      else queue.push(e.data);
    };
    const next = (): Promise<unknown> =>
      queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r));
    ws.onerror = () => reject(new Error('WebSocket error event'));
    ws.onopen = async () => {
      try {
        ws.send('hello from chromium');
        const text = (await next()) as string;
        const uni = 'ünïcödé – 漢字 – 🎈';
        ws.send(uni);
        const unicode = (await next()) as string;
        const bytes = new Uint8Array(256).map((_, i) => 255 - i);
        ws.send(bytes.buffer);
        const binary = await next();
        const big = new Uint8Array(1024 * 1024);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 10)) & 0xff;
        ws.send(big);
        const bigBack = new Uint8Array((await next()) as ArrayBuffer);
        let largeEqual = bigBack.length === big.length;
        for (let i = 0; largeEqual && i < big.length; i++)
          if (bigBack[i] !== big[i]) largeEqual = false;
        ws.send('');
        const emptyText = (await next()) as string;
        const closed = new Promise<CloseEvent>((r) => (ws.onclose = r));
        ws.close(4321, 'browser done');
        const ev = await closed;
        resolve({
          extensions: ws.extensions,
          protocol: ws.protocol,
          text,
          unicode: unicode === uni ? 'same' : unicode,
          binary: Array.from(new Uint8Array(binary as ArrayBuffer).slice(0, 4)).concat(
            (binary as ArrayBuffer).byteLength,
          ),
          binaryIsArrayBuffer: binary instanceof ArrayBuffer,
          largeLength: bigBack.length,
          largeEqual,
          emptyText,
          closeCode: ev.code,
          closeClean: ev.wasClean,
        });
      } catch (e) {
        reject(e);
      }
    };
  });
}

/** Two sockets in the page on /broadcast; each sends one message; returns what each got. */
function browserBroadcast(url: string): Promise<string[][]> {
  const open = (): Promise<{ ws: WebSocket; got: string[] }> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const got: string[] = [];
      ws.onmessage = (e) => got.push(String(e.data));
      ws.onopen = () => resolve({ ws, got });
      ws.onerror = () => reject(new Error('WebSocket error event'));
    });
  return (async () => {
    const a = await open();
    const b = await open();
    a.ws.send('from A');
    b.ws.send('from B');
    const deadline = Date.now() + 5000;
    while ((a.got.length < 2 || b.got.length < 2) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100)); // let duplicates show
    a.ws.close();
    b.ws.close();
    return [a.got.sort(), b.got.sort()];
  })();
}

/** Opens a socket and leaves a promise of its close event on window for later. */
function browserAwaitServerClose(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const w = window as unknown as { serverClose: Promise<{ code: number; wasClean: boolean }> };
    w.serverClose = new Promise(
      (r) => (ws.onclose = (e) => r({ code: e.code, wasClean: e.wasClean })),
    );
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('WebSocket error event'));
  });
}

describe('headless Chromium WebSocket ↔ ringside echo', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('plain server: text, binary, 1 MiB, empty, close code; no extension', async () => {
    const server = await startEcho();
    try {
      const page = await openPage(browser, server);
      const r = await page.evaluate(browserEcho, `ws://127.0.0.1:${server.port}/echo`);
      assert.deepEqual(r, {
        extensions: '',
        protocol: '',
        text: 'hello from chromium',
        unicode: 'same',
        binary: [255, 254, 253, 252, 256],
        binaryIsArrayBuffer: true,
        largeLength: 1024 * 1024,
        largeEqual: true,
        emptyText: '',
        closeCode: 4321,
        closeClean: true,
      });
      await page.close();
    } finally {
      await server.stop();
    }
  });

  it('--deflate server: Chromium negotiates permessage-deflate, /broadcast, and close 1001 on shutdown', async () => {
    const server = await startEcho(['--deflate']);
    let stopped = false;
    try {
      const page = await openPage(browser, server);
      const r = await page.evaluate(browserEcho, `ws://127.0.0.1:${server.port}/echo`);
      assert.match(r.extensions, /^permessage-deflate\b/);
      assert.equal(r.text, 'hello from chromium');
      assert.equal(r.unicode, 'same');
      assert.deepEqual(r.binary, [255, 254, 253, 252, 256]);
      assert.equal(r.largeLength, 1024 * 1024);
      assert.equal(r.largeEqual, true);
      assert.equal(r.closeCode, 4321);

      const got = await page.evaluate(browserBroadcast, `ws://127.0.0.1:${server.port}/broadcast`);
      assert.deepEqual(got, [
        ['from A', 'from B'],
        ['from A', 'from B'],
      ]);

      await page.evaluate(browserAwaitServerClose, `ws://127.0.0.1:${server.port}/echo`);
      const exitCode = await server.stop();
      stopped = true;
      const closeEvent = await page.evaluate(
        () =>
          (window as unknown as { serverClose: Promise<{ code: number; wasClean: boolean }> })
            .serverClose,
      );
      assert.deepEqual(closeEvent, { code: 1001, wasClean: true });
      assert.equal(exitCode, 0, server.output());
      await page.close();
    } finally {
      if (!stopped) await server.stop();
    }
  });
});
