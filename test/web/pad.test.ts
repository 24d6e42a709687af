// The pad (spec 001) in real browsers: two people type and see each other's text and
// cursor, the language change and the other's Run output; a third joins late and sees
// it all; edits made while a connection is down arrive after it comes back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  seriousViolations,
  startWebHarness,
  type AppPage,
  type WebHarness,
} from './web-harness.js';

let web: WebHarness;
before(async () => {
  web = await startWebHarness();
});
after(async () => web?.close());

const TIMEOUT = 15_000;

async function joinAs(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name, as the others will see it').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.locator('.cm-content').waitFor({ timeout: TIMEOUT });
}

/** The document as the editor shows it, without the other people's name labels. */
const editorText = (page: Page) => page.evaluate(documentText);

function documentText(): string {
  return Array.from(document.querySelectorAll('.cm-content .cm-line'), (line) => {
    const copy = line.cloneNode(true) as HTMLElement;
    for (const label of copy.querySelectorAll('.remote-cursor')) label.remove();
    return copy.textContent ?? '';
  }).join('\n');
}

async function waitForText(page: Page, expected: string | RegExp): Promise<void> {
  await page.waitForFunction(
    ([source, flags, read]) =>
      new RegExp(source!, flags).test(new Function(`return (${read})()`)()),
    typeof expected === 'string'
      ? [expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), '', documentText.toString()]
      : [expected.source, expected.flags, documentText.toString()],
    { timeout: TIMEOUT },
  );
}

test(
  'two people on one pad, a late joiner, and edits made offline',
  { timeout: 120_000 },
  async () => {
    const alice: AppPage = await web.open('/pads');
    await alice.page.getByRole('button', { name: 'New pad' }).click();
    await alice.page.waitForURL(/\/pad\/[0-9a-f-]+$/);
    const padUrl = alice.page.url();
    await joinAs(alice.page, 'Alice');

    const bob = await web.open(new URL(padUrl).pathname);
    await joinAs(bob.page, 'Bob');
    await bob.page.getByTestId('participants').getByText('Alice').waitFor({ timeout: TIMEOUT });
    await alice.page.getByTestId('participants').getByText('Bob').waitFor({ timeout: TIMEOUT });
    await alice.page.getByTestId('connection').getByText('Connected').waitFor();

    // Alice types; Bob sees the text and Alice's cursor with her name.
    await alice.page.locator('.cm-content').click();
    await alice.page.keyboard.type('console.log(6 * 7);');
    await waitForText(bob.page, 'console.log(6 * 7);');
    await bob.page
      .locator('.remote-cursor-label', { hasText: 'Alice' })
      .waitFor({ timeout: TIMEOUT });

    // Bob types on a new line at the same time as Alice types at the start.
    await bob.page.locator('.cm-content').click();
    await bob.page.keyboard.press('Control+End');
    await bob.page.keyboard.type('\n// bob was here');
    await alice.page.keyboard.press('Control+Home');
    await alice.page.keyboard.type('// alice\n');
    for (const page of [alice.page, bob.page]) {
      await waitForText(page, /\/\/ alice.*console\.log\(6 \* 7\);.*\/\/ bob was here/s);
    }
    assert.equal(await editorText(alice.page), await editorText(bob.page));
    await alice.page
      .locator('.remote-cursor-label', { hasText: 'Bob' })
      .waitFor({ timeout: TIMEOUT });

    // Bob runs the code in his browser; Alice sees the output, and who ran it.
    await bob.page.getByRole('button', { name: 'Run' }).click();
    await alice.page.getByTestId('output').getByText('42').waitFor({ timeout: TIMEOUT });
    await alice.page.getByTestId('output').getByText('Run by Bob').waitFor();

    // Alice switches the language; Bob's picker follows.
    await alice.page.getByTestId('language').selectOption('python');
    await bob.page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=language]') as HTMLSelectElement).value === 'python',
      undefined,
      { timeout: TIMEOUT },
    );

    // Carol comes late: code, language, everyone here, the last output.
    const carol = await web.open(new URL(padUrl).pathname);
    await joinAs(carol.page, 'Carol');
    await waitForText(carol.page, /\/\/ bob was here/);
    assert.equal(await editorText(carol.page), await editorText(alice.page));
    assert.equal(await carol.page.getByTestId('language').inputValue(), 'python');
    for (const name of ['Alice', 'Bob', 'Carol'])
      await carol.page.getByTestId('participants').getByText(name).waitFor({ timeout: TIMEOUT });
    await carol.page.getByTestId('output').getByText('42').waitFor();
    assert.deepEqual(await seriousViolations(carol.page), []);
    await carol.page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await seriousViolations(carol.page), [], 'dark theme');
    await carol.page.emulateMedia({ colorScheme: 'light' });

    // Bob loses his connection, keeps typing; Alice types too; Bob comes back.
    await bob.context.setOffline(true);
    await bob.page
      .getByTestId('connection')
      .getByText(/Reconnecting|Offline/)
      .waitFor({ timeout: TIMEOUT });
    await bob.page.locator('.cm-content').click();
    await bob.page.keyboard.press('Control+End');
    await bob.page.keyboard.type('\n# typed offline');
    await alice.page.locator('.cm-content').click();
    await alice.page.keyboard.press('Control+Home');
    await alice.page.keyboard.type('# meanwhile\n');
    await bob.context.setOffline(false);
    await bob.page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 30_000 });
    for (const page of [alice.page, bob.page, carol.page]) {
      await waitForText(page, /# meanwhile.*# typed offline/s);
    }
    const final = await editorText(alice.page);
    assert.equal(await editorText(bob.page), final);
    assert.equal(await editorText(carol.page), final);
    assert.equal(final.split('# typed offline').length, 2, 'the offline edit arrives exactly once');

    for (const person of [alice, bob, carol]) assert.deepEqual(person.errors, []);
  },
);
