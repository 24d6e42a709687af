// `npm run screenshots`: every main screen of the browser app at desktop and phone widths,
// into docs/screenshots/*.png, from a real server with real people in it.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { writeTestProblems } from '../apps/arena-client.js';
import { DESKTOP, PHONE, signUp, startWebHarness } from './web-harness.js';

const OUT = path.resolve('docs/screenshots');

async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(300);
    const file = path.join(OUT, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: width === 'phone' });
    console.log(file);
  }
  await page.setViewportSize(DESKTOP);
}

async function typeInEditor(page: Page, code: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(code);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const problems = writeTestProblems();
  const web = await startWebHarness(['--problems', problems]);
  try {
    const ada = await web.open('/');
    await shoot(ada.page, 'home');
    await ada.page.goto(web.server.url + '/signin');
    await shoot(ada.page, 'sign-in');
    await signUp(ada.page, 'ada');
    const grace = await web.open('/');
    await signUp(grace.page, 'grace');

    // Profile with an avatar (a picture of the logo, made by the browser itself).
    const picture = await ada.page.locator('.brand img').screenshot();
    await ada.page.goto(web.server.url + '/profile');
    await ada.page
      .getByLabel(/Avatar/)
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: picture });
    await ada.page.locator('.avatar-large').first().waitFor();
    await shoot(ada.page, 'profile');

    // Pad: two people, code, a run.
    await ada.page.goto(web.server.url + '/pads');
    await ada.page.getByRole('button', { name: 'New pad' }).click();
    await ada.page.locator('.cm-content').waitFor();
    await ada.page.locator('.cm-content').click();
    await ada.page.keyboard.type(
      'function fib(n) {\nreturn n < 2 ? n : fib(n - 1) + fib(n - 2);\n}\nconsole.log([...Array(10).keys()].map(fib).join(", "));',
    );
    await grace.page.goto(ada.page.url());
    await grace.page.locator('.cm-content').waitFor();
    await grace.page.locator('.cm-line').nth(1).click();
    await ada.page.getByRole('button', { name: 'Run' }).click();
    await ada.page.getByTestId('output').getByText('0, 1, 1, 2').waitFor();
    await ada.page.locator('.remote-cursor-label').waitFor();
    await shoot(ada.page, 'pad');
    await ada.page.emulateMedia({ colorScheme: 'dark' });
    await ada.page.screenshot({ path: path.join(OUT, 'pad-dark-desktop.png') });
    await ada.page.emulateMedia({ colorScheme: 'light' });

    // Chat.
    await ada.page.goto(web.server.url + '/chat');
    await ada.page.getByLabel('Name').fill('Study group');
    await ada.page.getByLabel('Address (letters, digits, _ and -)').fill('study');
    await ada.page.getByRole('button', { name: 'Create room' }).click();
    await ada.page.getByLabel('Add someone').fill('grace');
    await ada.page.getByRole('button', { name: 'Add', exact: true }).click();
    await grace.page.goto(web.server.url + '/chat/ada/study');
    for (const [page, text] of [
      [ada.page, 'Who is up for a battle tonight?'],
      [grace.page, 'Me! Easy problems first, then ranked.'],
      [ada.page, 'Deal. I will send an invitation.'],
    ] as const) {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByTestId('messages').getByText(text).waitFor();
    }
    await ada.page.getByTestId('messages').getByText('Easy problems first').waitFor();
    await shoot(ada.page, 'chat');

    // Battles: lobby, queue, battle, result.
    await ada.page.goto(web.server.url + '/battles');
    await ada.page.getByLabel('Language').selectOption('javascript');
    await shoot(ada.page, 'battles');
    await ada.page.getByRole('button', { name: 'Find an opponent' }).click();
    await ada.page.waitForTimeout(1500);
    await shoot(ada.page, 'battle-queue');
    await grace.page.goto(web.server.url + '/battles');
    await grace.page.getByLabel('Language').selectOption('javascript');
    await grace.page.getByRole('button', { name: 'Find an opponent' }).click();
    await ada.page.getByRole('heading', { name: 'Add (easy)' }).waitFor();
    await grace.page.getByRole('heading', { name: 'Add (easy)' }).waitFor();
    await typeInEditor(grace.page, 'function add(a, b) { return a - b; }');
    await grace.page.getByRole('button', { name: 'Submit' }).click();
    await grace.page
      .getByTestId('submissions')
      .getByText(/tests passed/)
      .waitFor({ timeout: 60_000 });
    await typeInEditor(ada.page, 'function add(a, b) { return a + b; }');
    await ada.page.getByRole('button', { name: 'Run examples' }).click();
    await ada.page.getByTestId('run-results').getByText('Passed').first().waitFor();
    await shoot(ada.page, 'battle');
    await ada.page.getByRole('button', { name: 'Submit' }).click();
    await ada.page.getByTestId('result').waitFor({ timeout: 60_000 });
    await shoot(ada.page, 'battle-result');

    await ada.page.goto(web.server.url + '/teams');
    await ada.page.getByLabel('New team').fill('Night owls');
    await ada.page.getByRole('button', { name: 'Create' }).click();
    await ada.page.getByLabel('Add a member').fill('grace');
    await ada.page.getByRole('button', { name: 'Add', exact: true }).click();
    await ada.page.getByTestId('members').getByText('grace').waitFor();
    await shoot(ada.page, 'teams');

    await ada.page.goto(web.server.url + '/leaderboard');
    await ada.page.getByTestId('leaderboard').waitFor();
    await shoot(ada.page, 'leaderboard');

    // Runner.
    await ada.page.goto(web.server.url + '/runner');
    await ada.page.getByLabel('Language').selectOption('javascript');
    await ada.page.getByRole('button', { name: 'Run', exact: true }).click();
    await ada.page.getByTestId('run-output').getByText('MiB').waitFor({ timeout: 60_000 });
    await ada.page.getByRole('button', { name: 'Start' }).click();
    await ada.page.getByRole('button', { name: 'Alice +10' }).click();
    await ada.page.waitForTimeout(1200);
    await shoot(ada.page, 'runner');
  } finally {
    await web.close();
    rmSync(problems, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
