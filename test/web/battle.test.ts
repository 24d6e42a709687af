// A whole battle between two people in browsers: matched through the queue, a wrong
// answer then a right one, the result screen with both rating changes, and the public
// leaderboard with the new ratings.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { writeTestProblems } from '../apps/arena-client.js';
import { seriousViolations, signUp, startWebHarness, type WebHarness } from './web-harness.js';

let web: WebHarness;
let problems: string;
before(async () => {
  problems = writeTestProblems();
  web = await startWebHarness(['--problems', problems]);
});
after(async () => {
  await web?.close();
  rmSync(problems, { recursive: true, force: true });
});

const TIMEOUT = 20_000;

async function findOpponent(page: Page): Promise<void> {
  await page.goto(new URL('/battles', page.url()).toString());
  await page.getByLabel('Difficulty').selectOption('easy');
  await page.getByLabel('Language').selectOption('javascript');
  await page.getByRole('button', { name: 'Find an opponent' }).click();
}

async function replaceCode(page: Page, code: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(code);
}

test('a whole battle, from the queue to the leaderboard', { timeout: 150_000 }, async () => {
  const alice = await web.open('/');
  await signUp(alice.page, 'alice_battle');
  const bob = await web.open('/');
  await signUp(bob.page, 'bob_battle');

  await findOpponent(alice.page);
  await alice.page.getByRole('heading', { name: 'Looking for an opponent…' }).waitFor();
  const timer = alice.page.getByTestId('queue-timer');
  const first = await timer.textContent();
  await alice.page.waitForFunction(
    (was) => document.querySelector('[data-testid=queue-timer]')?.textContent !== was,
    first,
    { timeout: 5_000 },
  );
  assert.deepEqual(await seriousViolations(alice.page), []);

  await findOpponent(bob.page);
  for (const page of [alice.page, bob.page])
    await page.getByRole('heading', { name: 'Add (easy)' }).waitFor({ timeout: TIMEOUT });
  await alice.page.getByText('vs bob_battle').waitFor();
  assert.match(
    (await alice.page.getByTestId('battle-clock').textContent()) ?? '',
    /^(10:00|9:5\d)$/,
  );
  assert.match(await alice.page.locator('.cm-content').innerText(), /function add\(a, b\)/);

  // Wrong first: Run shows the examples failing; the judge agrees.
  await replaceCode(alice.page, 'function add(a, b) { return a - b; }');
  await alice.page.getByRole('button', { name: 'Run examples' }).click();
  await alice.page
    .getByTestId('run-results')
    .getByText('Failed: expected 3, got -1')
    .waitFor({ timeout: TIMEOUT });
  await alice.page.getByRole('button', { name: 'Submit' }).click();
  await alice.page
    .getByTestId('submissions')
    .getByText(/1\/4 tests passed/)
    .waitFor({ timeout: 60_000 });
  await alice.page
    .getByTestId('submissions')
    .getByText('Test 1: Wrong Answer — Expected 3, got -1')
    .waitFor();
  await bob.page
    .getByTestId('opponent-status')
    .getByText(/Submitted/)
    .waitFor({ timeout: TIMEOUT });

  // Battle chat.
  await bob.page.getByLabel('Say').fill('good luck <3');
  await bob.page.getByRole('button', { name: 'Send' }).click();
  await alice.page
    .getByTestId('battle-chat')
    .getByText('good luck <3')
    .waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await seriousViolations(alice.page), []);

  // Right: the battle ends for both.
  await replaceCode(alice.page, 'function add(a, b) { return a + b; }');
  await alice.page.getByRole('button', { name: 'Run examples' }).click();
  await alice.page
    .getByTestId('run-results')
    .getByText('Passed: expected 7, got 7')
    .waitFor({ timeout: TIMEOUT });
  await alice.page.getByRole('button', { name: 'Submit' }).click();
  await alice.page.getByTestId('result').getByText('You won').waitFor({ timeout: 60_000 });
  await bob.page.getByTestId('result').getByText('alice_battle won').waitFor({ timeout: TIMEOUT });
  for (const page of [alice.page, bob.page]) {
    await page.getByTestId('result-alice_battle').getByText('1200 → 1216 (+16)').waitFor();
    await page.getByTestId('result-bob_battle').getByText('1200 → 1184 (-16)').waitFor();
  }
  assert.deepEqual(await seriousViolations(bob.page), []);

  // The leaderboard is public: a visitor without an account sees the new ratings.
  const visitor = await web.open('/leaderboard');
  const board = visitor.page.getByTestId('leaderboard');
  await board.waitFor({ timeout: TIMEOUT });
  const rows = await board.locator('tbody tr').allInnerTexts();
  assert.match(rows[0] ?? '', /alice_battle\s+1216\s+1\s+0\s+0/);
  assert.match(rows[1] ?? '', /bob_battle\s+1184\s+0\s+1\s+0/);
  await visitor.page.goto(web.server.url + '/problems');
  await visitor.page.getByTestId('problems').getByText('Add (easy)').waitFor();
  assert.deepEqual(await seriousViolations(visitor.page), []);

  for (const person of [alice, bob, visitor]) assert.deepEqual(person.errors, []);
});

test('an invitation arrives as a notification and is accepted', { timeout: 90_000 }, async () => {
  const carol = await web.open('/');
  await signUp(carol.page, 'carol_battle');
  const dave = await web.open('/');
  await signUp(dave.page, 'dave_battle');
  // Dave is elsewhere in the app: the invitation still reaches him, as a toast.
  await dave.page.goto(web.server.url + '/pads');
  await dave.page.waitForTimeout(1000);

  await carol.page.goto(web.server.url + '/battles');
  await carol.page.getByLabel('Username').fill('dave_battle');
  await carol.page.getByRole('button', { name: 'Invite (easy)' }).click();
  await carol.page.getByText('Invitation sent to dave_battle').waitFor({ timeout: TIMEOUT });
  await dave.page
    .locator('.toast')
    .getByText(/\(see Battles\)/)
    .waitFor({ timeout: TIMEOUT });
  await dave.page.getByRole('link', { name: 'Battles' }).first().click();

  const panel = dave.page.getByRole('region', { name: 'Notifications' });
  await panel
    .getByText(/carol_battle/)
    .first()
    .waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await seriousViolations(dave.page), []);
  await panel.getByRole('button', { name: 'Accept' }).click();
  for (const page of [carol.page, dave.page])
    await page.getByRole('heading', { name: 'Add (easy)' }).waitFor({ timeout: TIMEOUT });
  await dave.page.getByText('vs carol_battle').waitFor();
  assert.deepEqual(carol.errors, []);
  assert.deepEqual(dave.errors, []);
});

test('teams: create one, add a member, both see it', { timeout: 60_000 }, async () => {
  const erin = await web.open('/');
  await signUp(erin.page, 'erin_team');
  const finn = await web.open('/');
  await signUp(finn.page, 'finn_team');

  await erin.page.goto(web.server.url + '/teams');
  await erin.page.getByLabel('New team').fill('Night <owls>');
  await erin.page.getByRole('button', { name: 'Create' }).click();
  await erin.page.getByRole('heading', { name: 'Night <owls>' }).waitFor();
  await erin.page.getByLabel('Add a member').fill('finn_team');
  await erin.page.getByRole('button', { name: 'Add', exact: true }).click();
  await erin.page.getByTestId('members').getByText('finn_team').waitFor();
  await erin.page.getByLabel('Add a member').fill('nobody_here');
  await erin.page.getByRole('button', { name: 'Add', exact: true }).click();
  await erin.page.getByRole('alert').waitFor();
  assert.deepEqual(await seriousViolations(erin.page), []);

  await finn.page.goto(web.server.url + '/teams');
  await finn.page.getByRole('button', { name: 'Night <owls>' }).click();
  await finn.page.getByTestId('members').getByText('erin_team').waitFor();
  assert.deepEqual(finn.errors, []);
  assert.deepEqual(
    erin.errors.filter((e) => !/status of 404/.test(e)),
    [],
  );
});
