// The SDK in a real browser: headless Chromium imports dist/src/client/index.js as plain
// ESM (no bundle), and its ChatClient and RunnerClient use Chromium's own WebSocket
// against a real `ringside serve`, with a Node SDK client as the other chat user. Then
// the server restarts and the browser's client comes back by itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ChatClient } from '../../src/client/index.js';
import { api, registerUser, type RegisteredUser } from '../helpers/http.js';
import type { ServeProcess } from '../helpers/serve-process.js';
import { launchChromium, sdkPage } from './browser-harness.js';
import { NodeWebSocket, nextEvent, startServeOnFixedPort } from './support.js';

interface PageState {
  heard: string[];
  opens: boolean[];
}

/** Runs in the page: loads the SDK and connects a chat and a runner client. */
async function startInPage(args: { host: string; token: string }) {
  const sdkUrl = '/sdk/index.js';
  const sdk = await import(sdkUrl);
  const w = window as unknown as Record<string, unknown> & PageState;
  w.heard = [];
  w.opens = [];
  // No url and no WebSocket option: the page's host and the browser's WebSocket.
  const chat = new sdk.ChatClient({
    host: args.host,
    room: 'web',
    token: args.token,
    baseDelayMs: 100,
    maxDelayMs: 300,
    maxAttempts: 50,
  });
  w.chat = chat;
  chat.on('message', (m: { body: string }) => w.heard.push(m.body));
  chat.socket.on('open', (info: { reconnected: boolean; url: string }) => {
    w.opens.push(info.reconnected);
    w.lastUrl = info.url;
  });
  await chat.connect();
  const runner = new sdk.RunnerClient({ baseDelayMs: 100, maxDelayMs: 300, maxAttempts: 50 });
  w.runner = runner;
  const out = await runner.runCode({ language: 'javascript', code: 'console.log(40 + 2)' });
  return { output: out.output as string, url: w.lastUrl as string };
}

/** Reads `read` until `ok` holds (or the time is up); the caller asserts after. */
async function settle<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!ok(await read()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('the SDK in headless Chromium', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let host: RegisteredUser;
  let guest: RegisteredUser;

  before(async () => {
    [serve, browser] = await Promise.all([startServeOnFixedPort(), launchChromium()]);
    host = await registerUser(serve.url);
    guest = await registerUser(serve.url);
    assert.equal(
      (await api(serve.url, 'POST', '/api/rooms', { slug: 'web', name: 'Web' }, host.token)).status,
      201,
    );
    const added = await api(
      serve.url,
      'POST',
      `/api/rooms/${host.user.username}/web/participants`,
      { username: guest.user.username },
      host.token,
    );
    assert.equal(added.status, 201);
  });
  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test('chat and runCode with the browser WebSocket; reconnects after a server restart', async () => {
    const page: Page = await sdkPage(browser, serve.url);
    const nodePeer = new ChatClient({
      url: serve.wsUrl,
      host: host.user.username,
      room: 'web',
      token: guest.token,
      WebSocket: NodeWebSocket,
      baseDelayMs: 100,
      maxDelayMs: 300,
      maxAttempts: 50,
    });
    try {
      await nodePeer.connect();
      const fromBrowser = nextEvent(nodePeer, 'message', 5000);
      const started = await page.evaluate(startInPage, {
        host: host.user.username,
        token: host.token,
      });
      assert.equal(started.output, '42\n');
      assert.equal(
        started.url,
        `ws://127.0.0.1:${serve.port}/ws/chat/${host.user.username}/web/?token=${host.token}`,
      );

      await page.evaluate(() => {
        (window as unknown as { chat: { sendMessage(t: string): void } }).chat.sendMessage(
          'from chromium',
        );
      });
      assert.equal((await fromBrowser)[0].body, 'from chromium');
      nodePeer.sendMessage('from node');
      const heard = () => page.evaluate(() => (window as unknown as PageState).heard);
      const opens = () => page.evaluate(() => (window as unknown as PageState).opens);
      await settle(heard, (h) => h.length >= 2);
      assert.deepEqual(await heard(), ['from chromium', 'from node']);

      await Promise.all([
        nextEvent(nodePeer.socket, 'open', 20_000, (info) => info.reconnected),
        serve.restart(),
      ]);
      await settle(opens, (o) => o.includes(true), 10_000);
      assert.deepEqual(await opens(), [false, true]);

      nodePeer.sendMessage('after the restart');
      await settle(heard, (h) => h.length >= 3);
      assert.deepEqual(await heard(), ['from chromium', 'from node', 'after the restart']);

      const output = await page.evaluate(async () => {
        const runner = (
          window as unknown as {
            runner: { runCode(r: object): Promise<{ output: string }> };
          }
        ).runner;
        return (await runner.runCode({ language: 'javascript', code: 'console.log("back")' }))
          .output;
      });
      assert.equal(output, 'back\n');
      await page.evaluate(() => {
        const w = window as unknown as { chat: { close(): void }; runner: { close(): void } };
        w.chat.close();
        w.runner.close();
      });
    } finally {
      nodePeer.close();
      await page.close();
    }
  });
});
