// Issue 11, defect 2: anonymous collab writes were unthrottled (100 sessions of 400 KB
// in 0.8 s, all 201, 38.6 MB stored, nothing ever deleted). Now: sessions created per
// address per hour, a code size per session (REST and live edits), a total stored
// size past which no session is created, and idle sessions expire.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCollabModule } from '../../src/apps/collab/index.js';
import { startTestApp, type TestApp } from '../apps/context.js';
import { TestClient } from '../apps/ws-client.js';

async function create(app: TestApp, body: unknown = {}) {
  const response = await fetch(`${app.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function sessionsStored(app: TestApp): Promise<number> {
  const rows = await app.db.selectFrom('collab_sessions').select('id').execute();
  return rows.length;
}

describe('collab: limits on anonymous writes', () => {
  test('sessions per address per hour: past the setting 429 with Retry-After, nothing stored', async () => {
    const app = await startTestApp([createCollabModule({ sessionsPerHour: 5 })]);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await create(app)).status, 201);
      const refused = await create(app);
      assert.equal(refused.status, 429);
      assert.match(refused.body.error, /Too many sessions/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter > 3500 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
      assert.equal(await sessionsStored(app), 5);
    } finally {
      await app.stop();
    }
  });

  test('code per session: a larger body is 400, a live edit past it is an error event', async () => {
    const app = await startTestApp([createCollabModule({ maxCodeChars: 1000 })]);
    try {
      const tooBig = await create(app, { code: 'x'.repeat(1001) });
      assert.equal(tooBig.status, 400);
      assert.match(tooBig.body.error, /1000 characters/);
      const made = await create(app, { code: 'x'.repeat(1000) });
      assert.equal(made.status, 201);
      const client = await TestClient.connect(`${app.wsUrl}/ws/${made.body.sessionId}`);
      try {
        client.send({ type: 'join-session', payload: { userId: 'u1', username: 'Ann' } });
        await client.nextOfType('session-state');
        client.send({ type: 'code-change', payload: { changes: 'y'.repeat(1001) } });
        const error = await client.nextOfType('error');
        assert.match(error.payload.message, /exceeds 1000 characters/);
        client.send({ type: 'code-change', payload: { changes: 'y'.repeat(999) } });
        await new Promise((resolve) => setTimeout(resolve, 300)); // the save
      } finally {
        await client.close();
      }
      const view = await (await fetch(`${app.url}/api/sessions/${made.body.sessionId}`)).json();
      assert.equal(view.code, 'y'.repeat(999));
    } finally {
      await app.stop();
    }
  });

  test('total stored: no new session past it (503), whoever asks', async () => {
    const app = await startTestApp([createCollabModule({ maxStoredBytes: 3000 })]);
    try {
      for (let i = 0; i < 3; i++)
        assert.equal((await create(app, { code: 'z'.repeat(1000) })).status, 201);
      const full = await create(app, { code: 'z'.repeat(10) });
      assert.equal(full.status, 503);
      assert.match(full.body.error, /storage is full/);
      assert.equal(await sessionsStored(app), 3);
    } finally {
      await app.stop();
    }
  });

  test('idle sessions expire; one in use does not', async () => {
    const app = await startTestApp([
      createCollabModule({ sessionTtlMs: 400, sweepIntervalMs: 100, idleUnloadMs: 60_000 }),
    ]);
    try {
      const idle = (await create(app)).body.sessionId;
      const used = (await create(app)).body.sessionId;
      const client = await TestClient.connect(`${app.wsUrl}/ws/${used}`);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal((await fetch(`${app.url}/api/sessions/${idle}`)).status, 404);
        assert.equal((await fetch(`${app.url}/api/sessions/${used}`)).status, 200);
        assert.equal(await sessionsStored(app), 1);
      } finally {
        await client.close();
      }
    } finally {
      await app.stop();
    }
  });
});
