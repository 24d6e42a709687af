// The runner (spec 002) in browsers: code run on the server with its time and memory,
// two tasks' progress bars going to 100%, and the leaderboard changing in another browser.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seriousViolations, startWebHarness, type WebHarness } from './web-harness.js';

let web: WebHarness;
before(async () => {
  web = await startWebHarness();
});
after(async () => web?.close());

test(
  'run on the server, tasks with progress, a shared leaderboard',
  { timeout: 120_000 },
  async () => {
    const one = await web.open('/runner');
    const two = await web.open('/runner');
    await one.page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 15_000 });

    await one.page.getByLabel('Language').selectOption('javascript');
    await one.page.locator('.cm-content').click();
    await one.page.keyboard.press('Control+A');
    await one.page.keyboard.type('console.log(6 * 7)');
    await one.page.getByRole('button', { name: 'Run', exact: true }).click();
    const output = one.page.getByTestId('run-output');
    await output.getByText('42').waitFor({ timeout: 60_000 });
    assert.match((await output.innerText()) ?? '', /\d+\.\d\d ms · \d+\.\d MiB/);

    await one.page.getByLabel('How many').fill('2');
    await one.page.getByLabel('Each (ms)').fill('1500');
    await one.page.getByRole('button', { name: 'Start' }).click();
    const bars = one.page.getByTestId('tasks').locator('progress');
    await one.page.waitForFunction(
      () => {
        const values = [...document.querySelectorAll('[data-testid=tasks] progress')].map(
          (p) => (p as HTMLProgressElement).value,
        );
        return values.length === 2 && values.some((v) => v > 0 && v < 1);
      },
      undefined,
      { timeout: 15_000 },
    );
    await one.page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=tasks] progress')].filter(
          (p) => (p as HTMLProgressElement).value === 1,
        ).length === 2,
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await bars.count(), 2);
    assert.equal(await one.page.getByTestId('tasks').getByText('completed').count(), 2);

    // The leaderboard: a change in one browser shows in the other.
    await two.page
      .getByTestId('runner-leaderboard')
      .getByText('Charlie')
      .waitFor({ timeout: 15_000 });
    await one.page.getByRole('button', { name: 'Charlie +10' }).click();
    await one.page.getByRole('button', { name: 'Charlie +10' }).click();
    await two.page.waitForFunction(
      () => {
        const first = document.querySelector('[data-testid=runner-leaderboard] tbody tr');
        return /Charlie\s+20/.test((first as HTMLElement | null)?.innerText ?? '');
      },
      undefined,
      { timeout: 15_000 },
    );
    assert.deepEqual(await seriousViolations(two.page), []);
    assert.deepEqual(one.errors, []);
    assert.deepEqual(two.errors, []);
  },
);
