// JWTs issued by a real `ringside serve`: their claims, and every way a token can be
// wrong (expired, forged, tampered, another algorithm, unsigned, for a deleted user).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { api, registerUser, type RegisteredUser } from '../helpers/http.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const SECRET = 'test-secret-0123456789abcdef';
const now = () => Math.floor(Date.now() / 1000);

function sign(payload: JWTPayload, secret = SECRET, alg = 'HS256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

async function meStatus(serve: ServeProcess, token: string): Promise<number> {
  return (await api(serve.url, 'GET', '/api/me', undefined, token)).status;
}

describe('tokens with --jwt-secret', () => {
  let serve: ServeProcess;
  let alice: RegisteredUser;
  before(async () => {
    serve = await startServe(['--jwt-secret', SECRET]);
    alice = await registerUser(serve.url, 'alice');
  });
  after(async () => {
    await serve?.stop();
  });

  it('issues HS256 tokens with sub, username and a 7-day expiry', () => {
    assert.equal(decodeProtectedHeader(alice.token).alg, 'HS256');
    const claims = decodeJwt(alice.token);
    assert.equal(claims.sub, alice.user.id);
    assert.equal(claims.username, 'alice');
    assert.equal(claims.exp! - claims.iat!, 7 * 24 * 60 * 60);
    assert.ok(Math.abs(claims.iat! - now()) < 60);
  });

  it('accepts a token we sign with the same secret and claims', async () => {
    const token = await sign({
      sub: alice.user.id,
      username: 'alice',
      iss: 'ringside',
      exp: now() + 60,
    });
    assert.equal(await meStatus(serve, token), 200);
  });

  it('rejects an expired token', async () => {
    const token = await sign({
      sub: alice.user.id,
      username: 'alice',
      iss: 'ringside',
      iat: now() - 7200,
      exp: now() - 3600,
    });
    assert.equal(await meStatus(serve, token), 401);
  });

  it('rejects a token signed with another secret', async () => {
    const token = await sign(
      { sub: alice.user.id, username: 'alice', iss: 'ringside', exp: now() + 60 },
      'some-other-secret-0123456789',
    );
    assert.equal(await meStatus(serve, token), 401);
  });

  it('rejects a token whose payload was changed after signing', async () => {
    const bob = await registerUser(serve.url, 'bob');
    const [header, , signature] = alice.token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...decodeJwt(alice.token), sub: bob.user.id }),
    ).toString('base64url');
    assert.equal(await meStatus(serve, `${header}.${forgedPayload}.${signature}`), 401);
  });

  it('rejects an unsigned (alg none) token and one signed with HS512', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ sub: alice.user.id, username: 'alice', iss: 'ringside', exp: now() + 60 }),
    ).toString('base64url');
    assert.equal(await meStatus(serve, `${header}.${payload}.`), 401);
    const hs512 = await sign(
      { sub: alice.user.id, username: 'alice', iss: 'ringside', exp: now() + 60 },
      SECRET,
      'HS512',
    );
    assert.equal(await meStatus(serve, hs512), 401);
  });

  it('rejects tokens without an expiry, from another issuer, or for a user that does not exist', async () => {
    assert.equal(
      await meStatus(serve, await sign({ sub: alice.user.id, username: 'alice', iss: 'ringside' })),
      401,
    );
    assert.equal(
      await meStatus(
        serve,
        await sign({ sub: alice.user.id, username: 'alice', iss: 'elsewhere', exp: now() + 60 }),
      ),
      401,
    );
    const ghost = await sign({
      sub: '00000000-0000-4000-8000-000000000000',
      username: 'ghost',
      iss: 'ringside',
      exp: now() + 60,
    });
    assert.equal(await meStatus(serve, ghost), 401);
  });

  it('reads the token only from a Bearer authorization header on REST', async () => {
    const basic = await fetch(`${serve.url}/api/me`, {
      headers: { authorization: `Basic ${alice.token}` },
    });
    assert.equal(basic.status, 401);
    const lower = await fetch(`${serve.url}/api/me`, {
      headers: { authorization: `bearer ${alice.token}` },
    });
    assert.equal(lower.status, 200);
    // Like every other route, /api/me also takes ?token=.
    const query = await fetch(`${serve.url}/api/me?token=${alice.token}`);
    assert.equal(query.status, 200);
    assert.equal(((await query.json()) as { user: { id: string } }).user.id, alice.user.id);
  });

  it('takes a browser token offered as a bearer.<token> subprotocol, and echoes one offer', async () => {
    const wsUrl = serve.url.replace('http', 'ws');
    const ping = async (protocols: string[]) => {
      const ws = new WebSocket(`${wsUrl}/v1`, protocols);
      // Listening before the open: a refusal arrives in the same read as the 101.
      const first = once(ws, 'message');
      await once(ws, 'open');
      ws.send(JSON.stringify({ id: 'p', type: 'action', event: 'system:ping', data: {} }));
      const [data] = (await first) as [Buffer];
      ws.close();
      return { protocol: ws.protocol, reply: JSON.parse(data.toString()) as { type: string } };
    };
    const both = await ping(['ringside', `bearer.${alice.token}`]);
    assert.equal(both.protocol, 'ringside');
    assert.equal(both.reply.type, 'response');
    const alone = await ping([`bearer.${alice.token}`]);
    assert.equal(alone.protocol, `bearer.${alice.token}`, 'the only offer is echoed');
    assert.equal(alone.reply.type, 'response');
    const forged = await ping(['ringside', `bearer.${alice.token}x`]);
    assert.equal(forged.reply.type, 'error', 'a bad token in the subprotocol is refused');
  });
});

describe('a generated secret', () => {
  it('is created once in the data dir with mode 0600, and signs the tokens', async () => {
    const serve = await startServe();
    try {
      const file = path.join(serve.dataDir, 'jwt-secret');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const secret = readFileSync(file, 'utf8').trim();
      assert.ok(secret.length >= 32);
      const { user } = await registerUser(serve.url);
      const token = await sign(
        { sub: user.id, username: user.username, iss: 'ringside', exp: now() + 60 },
        secret,
      );
      assert.equal(await meStatus(serve, token), 200);
      await serve.restart();
      assert.equal(readFileSync(file, 'utf8').trim(), secret, 'a restart keeps the secret');
    } finally {
      await serve.stop();
    }
  });
});
