// Avatars: uploaded from the profile page, checked for type and size (in the page and on
// the server, which looks at the bytes), served by ringside, shown in the header.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seriousViolations, signUp, startWebHarness, type WebHarness } from './web-harness.js';

let web: WebHarness;
before(async () => {
  web = await startWebHarness();
});
after(async () => web?.close());

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

test('upload, show, serve and refuse avatars', { timeout: 60_000 }, async () => {
  const { page, errors } = await web.open('/');
  await signUp(page, 'ada_avatar');
  await page.getByTestId('current-user').click();
  await page.getByRole('heading', { name: 'ada_avatar' }).waitFor();
  const input = page.getByLabel(/Avatar/);

  // Refused in the page: too big, wrong type.
  await input.setInputFiles({
    name: 'big.png',
    mimeType: 'image/png',
    buffer: Buffer.alloc(300 * 1024, 1),
  });
  await page.getByRole('alert').getByText('The image is 300 KB; at most 256 KB.').waitFor();
  await input.setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('hi'),
  });
  await page.getByRole('alert').getByText('Choose a PNG, JPEG, GIF or WebP image.').waitFor();
  // Refused by the server: the bytes are not a PNG whatever the name says.
  await input.setInputFiles({
    name: 'fake.png',
    mimeType: 'image/png',
    buffer: Buffer.from('<svg onload=alert(1)>'),
  });
  await page.getByRole('alert').getByText('The file is not a PNG image.').waitFor();

  await input.setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
  const headerImage = page.getByTestId('current-user').locator('img.avatar');
  await headerImage.waitFor();
  const src = (await headerImage.getAttribute('src'))!;
  assert.match(src, /^\/api\/users\/[0-9a-f-]+\/avatar\?v=\d+$/);
  const served = await fetch(web.server.url + src);
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG);
  assert.deepEqual(await seriousViolations(page), []);

  await page.reload();
  await headerImage.waitFor();
  await page.getByRole('button', { name: 'Remove the avatar' }).click();
  await headerImage.waitFor({ state: 'detached' });
  assert.equal((await fetch(web.server.url + src)).status, 404);
  assert.deepEqual(
    errors.filter((e) => !/status of 400/.test(e)),
    [],
  );
});

test('the avatar routes refuse what they should', async () => {
  const register = await fetch(web.server.url + '/api/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob_avatar', password: 'password-123' }),
  });
  const { token } = (await register.json()) as { token: string };
  const put = (body: Buffer | string, type: string, auth = true) =>
    fetch(web.server.url + '/api/me/avatar', {
      method: 'PUT',
      headers: { 'content-type': type, ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  assert.equal((await put(PNG, 'image/png', false)).status, 401);
  assert.equal((await put('hello', 'text/plain')).status, 415);
  const tooBig = Buffer.concat([PNG, Buffer.alloc(300 * 1024)]);
  assert.equal((await put(tooBig, 'image/png')).status, 413);
  assert.equal((await put(PNG, 'image/jpeg')).status, 400, 'a PNG sent as JPEG');
  assert.equal((await put(PNG, 'image/png')).status, 200);
  for (const id of ['..%2F..%2Fjwt-secret', '..', 'a'.repeat(65)]) {
    const response = await fetch(`${web.server.url}/api/users/${id}/avatar`);
    assert.equal(response.status, 404, id);
  }
});
