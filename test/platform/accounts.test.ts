// Accounts over REST against a real `ringside serve` process, once on SQLite and once
// on a real PostgreSQL: register, login, /api/me, every validation error, 401, 409,
// the login rate limit, and users (and their tokens) surviving a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, registerUser, TEST_PASSWORD } from '../helpers/http.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let postgres: Postgres;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.stop();
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`accounts on ${dialect}`, () => {
    let serve: ServeProcess;
    before(async () => {
      serve = await startServe(
        dialect === 'postgres' ? ['--database', await postgres.newDatabase()] : [],
      );
      assert.match(serve.output(), new RegExp(`"database":"${dialect}"`));
    });
    after(async () => {
      await serve?.stop();
    });

    it('registers, logs in and answers /api/me with the same user', async () => {
      const reg = await api(serve.url, 'POST', '/api/auth/register', {
        username: 'ada.l-1_x',
        password: TEST_PASSWORD,
      });
      assert.equal(reg.status, 201);
      assert.match(reg.body.user.id, UUID);
      assert.equal(reg.body.user.username, 'ada.l-1_x');
      assert.equal(typeof reg.body.token, 'string');
      assert.deepEqual(Object.keys(reg.body).sort(), ['token', 'user']);

      const login = await api(serve.url, 'POST', '/api/auth/login', {
        username: 'ada.l-1_x',
        password: TEST_PASSWORD,
      });
      assert.equal(login.status, 200);
      assert.deepEqual(login.body.user, reg.body.user);

      for (const token of [reg.body.token, login.body.token]) {
        const me = await api(serve.url, 'GET', '/api/me', undefined, token);
        assert.equal(me.status, 200);
        assert.deepEqual(me.body, { user: reg.body.user });
      }
    });

    it('logs in with the username in any case and keeps the registered spelling', async () => {
      const { user } = await registerUser(serve.url, 'MixedCase');
      const login = await api(serve.url, 'POST', '/api/auth/login', {
        username: 'mixedcase',
        password: TEST_PASSWORD,
      });
      assert.equal(login.status, 200);
      assert.deepEqual(login.body.user, user);
    });

    it('answers 400 with a message for every invalid body; login applies no policy (401)', async () => {
      // The registration policy: 400 on register, and on login simply no such account (401).
      const policy: Array<[unknown, RegExp]> = [
        [{ username: 'ab', password: TEST_PASSWORD }, /username must be 3 to 32/],
        [{ username: 'a'.repeat(33), password: TEST_PASSWORD }, /username must be 3 to 32/],
        [{ username: 'bad name!', password: TEST_PASSWORD }, /username may only contain/],
        [{ username: 'émile', password: TEST_PASSWORD }, /username may only contain/],
        [{ username: 'validname', password: 'short' }, /password must be 8 to 128/],
        [{ username: 'validname', password: 'p'.repeat(129) }, /password must be 8 to 128/],
      ];
      // Not credentials at all: 400 on both.
      const shape: Array<[unknown, RegExp]> = [
        [{ password: TEST_PASSWORD }, /username is required/],
        [{ username: 'validname' }, /password is required/],
        [{ username: 42, password: TEST_PASSWORD }, /username must be a string/],
        [{ username: 'validname', password: 7 }, /password must be a string/],
        [[1, 2], /JSON object/],
        ['"just a string"', /JSON object/],
        ['{"username": ', /JSON/],
      ];
      const expect = async (path: string, body: unknown, status: number, message: RegExp) => {
        const response = await api(serve.url, 'POST', path, body);
        const what = `${path} ${JSON.stringify(body)}: ${JSON.stringify(response.body)}`;
        assert.equal(response.status, status, what);
        assert.match(response.body.error, message, what);
      };
      for (const [body, message] of [...policy, ...shape])
        await expect('/api/auth/register', body, 400, message);
      for (const [body, message] of shape) await expect('/api/auth/login', body, 400, message);
      for (const [body] of policy)
        await expect('/api/auth/login', body, 401, /invalid username or password/);
      // A real account with a wrong password shorter than the policy's minimum: 401.
      const { user } = await registerUser(serve.url);
      await expect(
        '/api/auth/login',
        { username: user.username, password: 'wrong' },
        401,
        /invalid username or password/,
      );
      // Boundaries are accepted: 3 and 32 characters, 8 and 128.
      assert.equal(
        (
          await api(serve.url, 'POST', '/api/auth/register', {
            username: 'abc',
            password: '12345678',
          })
        ).status,
        201,
      );
      const long = { username: 'z'.repeat(32), password: 'p'.repeat(128) };
      assert.equal((await api(serve.url, 'POST', '/api/auth/register', long)).status, 201);
      // Nothing invalid was stored.
      assert.equal(
        (
          await api(serve.url, 'POST', '/api/auth/login', {
            username: 'validname',
            password: TEST_PASSWORD,
          })
        ).status,
        401,
      );
    });

    it('answers 409 for a taken username, whatever its case', async () => {
      await registerUser(serve.url, 'taken_name');
      for (const username of ['taken_name', 'TAKEN_NAME']) {
        const response = await api(serve.url, 'POST', '/api/auth/register', {
          username,
          password: 'another-password',
        });
        assert.equal(response.status, 409);
        assert.match(response.body.error, /taken/);
      }
      // The first account still has its own password.
      const login = await api(serve.url, 'POST', '/api/auth/login', {
        username: 'taken_name',
        password: TEST_PASSWORD,
      });
      assert.equal(login.status, 200);
    });

    it('answers 409 to all but one of concurrent registrations of one name', async () => {
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          api(serve.url, 'POST', '/api/auth/register', {
            username: 'racer',
            password: TEST_PASSWORD,
          }),
        ),
      );
      assert.deepEqual(responses.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
    });

    it('answers 401 for a wrong password, an unknown user, and /api/me without a valid token', async () => {
      const { user } = await registerUser(serve.url, 'careful');
      const wrong = await api(serve.url, 'POST', '/api/auth/login', {
        username: user.username,
        password: 'not-the-password',
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error, 'invalid username or password');
      const unknown = await api(serve.url, 'POST', '/api/auth/login', {
        username: 'nobody_here',
        password: TEST_PASSWORD,
      });
      assert.equal(unknown.status, 401);
      assert.equal(
        unknown.body.error,
        wrong.body.error,
        'the answer must not tell which usernames exist',
      );

      assert.equal((await api(serve.url, 'GET', '/api/me')).status, 401);
      assert.equal((await api(serve.url, 'GET', '/api/me', undefined, 'not.a.jwt')).status, 401);
      const me = await api(serve.url, 'GET', '/api/me', undefined, '');
      assert.equal(me.status, 401);
      assert.equal(typeof me.body.error, 'string');
    });

    it('rate-limits login per IP and username with 429 after 10 attempts in a minute', async () => {
      const { user } = await registerUser(serve.url, 'hammered');
      for (let i = 0; i < 10; i++) {
        const response = await api(serve.url, 'POST', '/api/auth/login', {
          username: user.username,
          password: `wrong-password-${i}`,
        });
        assert.equal(response.status, 401, `attempt ${i + 1}`);
      }
      // Even the right password is refused now, and the case of the name does not help.
      for (const username of [user.username, user.username.toUpperCase()]) {
        const limited = await api(serve.url, 'POST', '/api/auth/login', {
          username,
          password: TEST_PASSWORD,
        });
        assert.equal(limited.status, 429);
        assert.match(limited.body.error, /too many/);
        const retryAfter = Number(limited.headers.get('retry-after'));
        assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
      }
      // Another username from the same IP is not affected.
      const other = await registerUser(serve.url, 'bystander');
      const ok = await api(serve.url, 'POST', '/api/auth/login', {
        username: other.user.username,
        password: TEST_PASSWORD,
      });
      assert.equal(ok.status, 200);
    });

    it('keeps users and accepts their tokens after a restart', async () => {
      const before = await registerUser(serve.url, 'survivor');
      await serve.restart();
      assert.notEqual(serve.url, '');
      assert.match(serve.output(), /"msg":"ringside serve listening"/);
      assert.doesNotMatch(
        serve.output(),
        /migrations applied/,
        'the second start must find the schema in place',
      );
      const me = await api(serve.url, 'GET', '/api/me', undefined, before.token);
      assert.equal(me.status, 200, 'a token issued before the restart still works (same secret)');
      assert.deepEqual(me.body.user, before.user);
      const login = await api(serve.url, 'POST', '/api/auth/login', {
        username: 'survivor',
        password: TEST_PASSWORD,
      });
      assert.equal(login.status, 200);
      assert.deepEqual(login.body.user, before.user);
      assert.equal(
        (
          await api(serve.url, 'POST', '/api/auth/register', {
            username: 'survivor',
            password: TEST_PASSWORD,
          })
        ).status,
        409,
      );
    });
  });
}
