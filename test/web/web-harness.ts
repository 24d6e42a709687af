// What the browser-app tests share: a real `ringside serve` (on a fixed free port, so a
// restart keeps the page's address), headless Chromium, pages that fail the test on any
// console error, and axe-core.
import { createServer } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface WebHarness {
  server: ServeProcess;
  browser: Browser;
  /** A fresh browser profile (its own storage) with a page at `path`. */
  open(path?: string, viewport?: { width: number; height: number }): Promise<AppPage>;
  close(): Promise<void>;
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
}

export async function startWebHarness(args: string[] = []): Promise<WebHarness> {
  const port = await freePort();
  const server = await startServe(['--port', String(port), ...args]);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await server.stop();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    server,
    browser,
    async open(path = '/', viewport = DESKTOP) {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      if (path !== 'about:blank') await page.goto(server.url + path);
      return { context, page, errors };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

/** Serious and critical axe-core violations of the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

/** The page's content width beyond the viewport, in px (0: nothing overflows). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

/** Signs up through the form; resolves once the header shows the user. */
export async function signUp(
  page: Page,
  username: string,
  password = 'correct-horse-9',
): Promise<void> {
  await page.goto(new URL('/signup', page.url()).toString());
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByTestId('current-user').filter({ hasText: username }).waitFor();
}
