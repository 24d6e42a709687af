// Headless Chromium with the SDK loaded as plain ESM straight from dist/src/client (no
// bundler): the page is opened on the ringside server's own origin, and requests under
// /sdk/ are answered from the compiled files, so the SDK uses the browser's own
// WebSocket and finds the server from `location`, as an app served by ringside would.
import { launchChromium } from '../helpers/chromium.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** dist/src/client, next to this file's dist/test/client. */
export const SDK_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/client',
);

export { launchChromium };

/** A page on `origin` (http://127.0.0.1:PORT) where `import('/sdk/index.js')` loads the SDK. */
export async function sdkPage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  await page.route(`${origin}/sdk/**`, async (route) => {
    const name = new URL(route.request().url()).pathname.slice('/sdk/'.length);
    const file = path.join(SDK_DIR, name);
    if (!/^[a-z-]+\.js$/.test(name) || !fs.existsSync(file)) {
      await route.fulfill({ status: 404, body: 'not found' });
      return;
    }
    await route.fulfill({ path: file, contentType: 'text/javascript; charset=utf-8' });
  });
  const response = await page.goto(`${origin}/healthz`);
  assert.equal(response?.status(), 200);
  return page;
}
