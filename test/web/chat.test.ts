// Chat (spec 003) in real browsers: two people send, edit and delete; history scrolls
// back without the view jumping; the 500-character limit shows while typing; someone
// not in the room cannot open it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/index.js';
import { seriousViolations, signUp, startWebHarness, type WebHarness } from './web-harness.js';

let web: WebHarness;
before(async () => {
  web = await startWebHarness();
});
after(async () => web?.close());

const TIMEOUT = 15_000;

async function tokenOf(page: Page): Promise<string> {
  return page.evaluate(() => localStorage.getItem('ringside.token') ?? '');
}

test(
  'two people chat: send, edit, delete, scroll back; outsiders are refused',
  { timeout: 120_000 },
  async () => {
    const alice = await web.open('/');
    await signUp(alice.page, 'alice_chat');
    const bob = await web.open('/');
    await signUp(bob.page, 'bob_chat');
    const eve = await web.open('/');
    await signUp(eve.page, 'eve_chat');

    // Alice makes a room and adds Bob.
    await alice.page.goto(web.server.url + '/chat');
    await alice.page.getByLabel('Name').fill('Team <b>room</b>');
    await alice.page.getByLabel('Address (letters, digits, _ and -)').fill('team');
    await alice.page.getByRole('button', { name: 'Create room' }).click();
    await alice.page.waitForURL(/\/chat\/alice_chat\/team$/);
    await alice.page.getByRole('heading', { name: 'Team <b>room</b>' }).waitFor();
    await alice.page.getByLabel('Add someone').fill('bob_chat');
    await alice.page.getByRole('button', { name: 'Add', exact: true }).click();
    await alice.page.getByText('bob_chat is in the room').waitFor();

    // 70 older messages from Alice through the SDK, so there is history to page through.
    const seeder = new ChatClient({
      url: web.server.wsUrl,
      host: 'alice_chat',
      room: 'team',
      token: await tokenOf(alice.page),
      WebSocket: WebSocket as never,
    });
    let stored = 0;
    seeder.on('message', () => stored++);
    await seeder.connect();
    for (let i = 1; i <= 70; i++) {
      seeder.sendMessage(`old message ${i}`);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2100));
    }
    const deadline = Date.now() + TIMEOUT;
    while (stored < 70 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    seeder.close();
    assert.equal(stored, 70);

    await bob.page.goto(web.server.url + '/chat/alice_chat/team');
    const bobMessages = bob.page.getByTestId('messages');
    await bobMessages.getByText('old message 70', { exact: true }).waitFor({ timeout: TIMEOUT });
    assert.equal(await bobMessages.getByText('old message 40', { exact: true }).count(), 0);

    // Scroll back: the first message shown stays where it was when older ones arrive.
    await bobMessages.evaluate((list) => (list.scrollTop = 0));
    const anchor = bobMessages.getByText('old message 41', { exact: true });
    const before = (await anchor.boundingBox())!.y;
    await bob.page.getByRole('button', { name: 'Load older messages' }).click();
    await bobMessages.getByText('old message 11', { exact: true }).waitFor();
    const after = (await anchor.boundingBox())!.y;
    assert.ok(Math.abs(after - before) < 3, `the view jumped from ${before} to ${after}`);
    await bob.page.getByRole('button', { name: 'Load older messages' }).click();
    await bobMessages.getByText('old message 1', { exact: true }).waitFor();
    await bob.page.getByText('The beginning of the room.').waitFor();

    // Live: Alice writes (HTML stays text), Bob sees it; Alice edits, then deletes.
    await alice.page.goto(web.server.url + '/chat/alice_chat/team');
    await alice.page.getByTestId('connection').getByText('Connected').waitFor({ timeout: TIMEOUT });
    await bob.page.getByTestId('connection').getByText('Connected').waitFor({ timeout: TIMEOUT });
    await alice.page
      .getByLabel('Message', { exact: true })
      .fill('hello <img src=x onerror=alert(1)>');
    await alice.page.getByRole('button', { name: 'Send' }).click();
    await bobMessages.getByText('hello <img src=x onerror=alert(1)>').waitFor({ timeout: TIMEOUT });
    assert.equal(await bobMessages.locator('img').count(), 0);

    const mine = alice.page.locator('.message', { hasText: 'hello <img' });
    await mine.getByRole('button', { name: 'Edit' }).click();
    await alice.page.getByLabel('Edit message').fill('hello, edited');
    await alice.page.getByRole('button', { name: 'Save' }).click();
    const bobsCopy = bob.page.locator('.message', { hasText: 'hello, edited' });
    await bobsCopy.waitFor({ timeout: TIMEOUT });
    await bobsCopy.getByText('(edited)').waitFor();
    assert.equal(
      await bob.page
        .locator('.message', { hasText: 'hello, edited' })
        .getByRole('button', { name: 'Edit' })
        .count(),
      0,
      "no Edit on someone else's message",
    );

    alice.page.once('dialog', (dialog) => void dialog.accept());
    await alice.page
      .locator('.message', { hasText: 'hello, edited' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await bobsCopy.waitFor({ state: 'detached', timeout: TIMEOUT });

    // Bob answers; the limit shows while typing.
    const composer = bob.page.getByLabel('Message', { exact: true });
    await composer.fill('x'.repeat(501));
    await bob.page.getByTestId('count').getByText('501/500').waitFor();
    assert.equal(await bob.page.getByRole('button', { name: 'Send' }).isDisabled(), true);
    await composer.fill('hi Alice');
    await composer.press('Enter');
    await alice.page.getByTestId('messages').getByText('hi Alice').waitFor({ timeout: TIMEOUT });

    assert.deepEqual(await seriousViolations(bob.page), []);

    // Unread counts: Bob leaves the room, Alice writes twice.
    await bob.page.goto(web.server.url + '/chat');
    for (const text of ['one more', 'and another']) {
      await alice.page.getByLabel('Message', { exact: true }).fill(text);
      await alice.page.getByRole('button', { name: 'Send' }).click();
      await alice.page.getByTestId('messages').getByText(text).waitFor({ timeout: TIMEOUT });
    }
    await bob.page.reload();
    await bob.page.getByRole('link', { name: 'Team <b>room</b>' }).waitFor();
    await bob.page.getByTestId('unread').getByText('2 unread').waitFor({ timeout: TIMEOUT });
    await bob.page.getByRole('link', { name: 'Team <b>room</b>' }).click();
    await bob.page.getByTestId('messages').getByText('and another').waitFor({ timeout: TIMEOUT });
    await bob.page.goto(web.server.url + '/chat');
    await bob.page.getByRole('link', { name: 'Team <b>room</b>' }).waitFor();
    await bob.page.waitForTimeout(500);
    assert.equal(await bob.page.getByTestId('unread').count(), 0, 'read once opened');

    // Eve is not in the room.
    await eve.page.goto(web.server.url + '/chat/alice_chat/team');
    await eve.page.getByRole('alert').getByText('You are not a participant of this room').waitFor();
    assert.equal(await eve.page.getByTestId('messages').count(), 0);

    assert.deepEqual(alice.errors, []);
    assert.deepEqual(bob.errors, []);
    assert.deepEqual(
      eve.errors.filter((e) => !/status of 403/.test(e)),
      [],
    );
  },
);
