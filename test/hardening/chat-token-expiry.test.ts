// Issue 11, defect 8: a chat connection outlived its token. Now it is closed with 4401
// (as the arena does) when the token expires, after an {"error": "Token expired."};
// nothing is accepted from it past that moment.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createChatModule } from '../../src/apps/chat/index.js';
import { signToken, startTestApp, type TestApp } from '../apps/context.js';
import { TestClient, type Json } from '../apps/ws-client.js';

describe('chat: token expiry', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp([createChatModule()]);
  });
  after(() => app.stop());

  test('a connection whose token expires is told so and closed with 4401; a fresh token keeps working', async () => {
    const host = await app.createUser();
    const created = await fetch(`${app.url}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'expiry', name: 'Expiry' }),
    });
    assert.equal(created.status, 201);
    const address = `${app.wsUrl}/ws/chat/${host.user.username}/expiry/?token=`;
    // JWT expiry has one-second resolution: this token ends 2 to 3 seconds from now.
    const shortToken = await signToken(host.user, 3);
    const expiresAt =
      JSON.parse(Buffer.from(shortToken.split('.')[1]!, 'base64url').toString()).exp * 1000;
    const short = await TestClient.connect(address + shortToken);
    const long = await TestClient.connect(address + host.token);
    try {
      short.send({ type: 'text', message: 'before expiry' });
      assert.equal((await short.next((m) => m.type === 'chat_message')).body, 'before expiry');

      const closed = await Promise.race([
        short.closed,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
      ]);
      assert.ok(closed, 'the connection was not closed after its token expired');
      assert.equal(closed.code, 4401);
      assert.ok(Date.now() >= expiresAt, 'closed before the token expired');
      assert.ok(
        short.received.some((m: Json) => m.error === 'Token expired.'),
        JSON.stringify(short.received),
      );
      // The other connection (its token valid for an hour) is untouched.
      long.send({ type: 'text', message: 'still here' });
      assert.equal((await long.next((m) => m.body === 'still here')).body, 'still here');
    } finally {
      await short.close();
      await long.close();
    }
  });
});
