// Runs in the browser: Python on Pyodide served by ringside itself (no CDN), JavaScript in
// a worker, and a runaway program ended by Stop or by the time limit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startWebHarness, type WebHarness } from './web-harness.js';

let web: WebHarness;
before(async () => {
  web = await startWebHarness();
});
after(async () => web?.close());

async function setCode(page: Page, code: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(code);
}

test('Python in Pyodide, JavaScript, Stop and the time limit', { timeout: 180_000 }, async () => {
  const { page, context, errors } = await web.open('/pads');
  const outside: string[] = [];
  context.on('request', (request) => {
    if (!request.url().startsWith(web.server.url) && !request.url().startsWith('data:'))
      outside.push(request.url());
  });
  await page.getByLabel('Language').selectOption('python');
  await page.getByRole('button', { name: 'New pad' }).click();
  await page.getByLabel('Your name, as the others will see it').fill('Ada');
  await page.getByRole('button', { name: 'Join' }).click();
  await page.locator('.cm-content').waitFor();

  await setCode(page, 'import sys\nprint(6 * 7, sys.version_info.major)');
  await page.getByRole('button', { name: 'Run' }).click();
  const output = page.getByTestId('output');
  await output.getByText('42 3').waitFor({ timeout: 120_000 });

  await setCode(page, 'print(1 / 0)');
  await page.getByRole('button', { name: 'Run' }).click();
  await output.getByText(/ZeroDivisionError/).waitFor({ timeout: 30_000 });

  await page.getByTestId('language').selectOption('javascript');
  await setCode(page, 'while (true) {}');
  await page.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('button', { name: 'Stop' }).click();
  await output.getByText('Stopped.', { exact: true }).waitFor();

  const started = Date.now();
  await page.getByRole('button', { name: 'Run' }).click();
  await output.getByText(/Stopped: the program ran longer than 5 s/).waitFor({ timeout: 20_000 });
  assert.ok(Date.now() - started >= 4_500, 'the limit is not hit early');

  await setCode(page, 'console.log("still", "works")');
  await page.getByRole('button', { name: 'Run' }).click();
  await output.getByText('still works').waitFor();

  assert.deepEqual(outside, [], 'every asset comes from ringside');
  assert.deepEqual(errors, []);
});
