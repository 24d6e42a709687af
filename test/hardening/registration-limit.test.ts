// Issue 11, defect 3: sign-ups were unlimited (858 from one address in 30 s, each a
// scrypt hash and a row). Now --registrations-per-hour per client address (default
// 10), then 429 with Retry-After; logins are not affected.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, TEST_PASSWORD } from '../helpers/http.js';
import { startServe } from '../helpers/serve-process.js';

describe('registration limit', () => {
  test('the default: 10 sign-ups an hour from one address, then 429 with Retry-After', async () => {
    // An empty variable means "not given": the built-in default applies.
    const serve = await startServe([], { RINGSIDE_REGISTRATIONS_PER_HOUR: '' });
    try {
      const register = (username: string) =>
        api(serve.url, 'POST', '/api/auth/register', { username, password: TEST_PASSWORD });
      for (let i = 0; i < 10; i++) assert.equal((await register(`signup_${i}`)).status, 201);
      const refused = await register('signup_10');
      assert.equal(refused.status, 429);
      assert.match(refused.body.error, /too many sign-ups/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter > 3500 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
      // Nothing was stored for the refused one; the accounts made still log in.
      const login = (username: string) =>
        api(serve.url, 'POST', '/api/auth/login', { username, password: TEST_PASSWORD });
      assert.equal((await login('signup_10')).status, 401);
      assert.equal((await login('signup_0')).status, 200);
    } finally {
      await serve.stop();
    }
  });

  test('--registrations-per-hour sets it; a taken name counts as an attempt too', async () => {
    const serve = await startServe(['--registrations-per-hour', '2']);
    try {
      const register = (username: string) =>
        api(serve.url, 'POST', '/api/auth/register', { username, password: TEST_PASSWORD });
      assert.equal((await register('first')).status, 201);
      assert.equal((await register('first')).status, 409);
      assert.equal((await register('second')).status, 429);
    } finally {
      await serve.stop();
    }
  });
});
