// Issue 11, defect 4: battle:invite had no bound, so one user could leave thousands of
// stored notifications, pending battles and ten-minute timers on another. Now an
// inviter has at most one pending invitation per invitee and at most
// --max-pending-invitations in all, also when the invitations arrive all at once.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createArenaModule } from '../../src/apps/arena/index.js';
import { connectArena, ok, request, writeTestProblems, type Json } from '../apps/arena-client.js';
import { startTestApp, type TestApp } from '../apps/context.js';
import type { TestClient } from '../apps/ws-client.js';

describe('arena: invitation limits', () => {
  let app: TestApp;
  let problemsDir: string;
  const clients: TestClient[] = [];
  before(async () => {
    problemsDir = writeTestProblems();
    app = await startTestApp([createArenaModule({ problemsDir, maxPendingInvitations: 3 })]);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app.stop();
    rmSync(problemsDir, { recursive: true, force: true });
  });

  async function connect(token: string): Promise<TestClient> {
    const client = await connectArena(app.wsUrl, token);
    clients.push(client);
    return client;
  }

  const invite = (client: TestClient, username: string) =>
    request(client, 'battle:invite', { username, difficulty: 'easy' });

  let sequence = 0;
  /** Sends every invitation before reading any answer: they are all in flight at once. */
  async function inviteAtOnce(client: TestClient, usernames: string[]): Promise<Json[]> {
    const ids = usernames.map((username) => {
      const id = `burst-${++sequence}`;
      client.send({
        id,
        type: 'action',
        event: 'battle:invite',
        data: { username, difficulty: 'easy' },
        timestamp: new Date().toISOString(),
      });
      return id;
    });
    const answers: Json[] = [];
    for (const id of ids)
      answers.push(
        await client.next((m) => m.id === id && (m.type === 'response' || m.type === 'error')),
      );
    return answers;
  }

  async function stored(
    table: 'arena_notifications' | 'arena_battles',
    column: string,
    value: string,
  ) {
    const rows = await app.db
      .selectFrom(table)
      .select(column as never)
      .where(column as never, '=', value as never)
      .execute();
    return rows.length;
  }

  test('30 invitations to one user at once: one accepted, one notification stored, the rest CONFLICT', async () => {
    const spammer = await app.createUser();
    const target = await app.createUser();
    const s = await connect(spammer.token);
    const answers = await inviteAtOnce(s, Array(30).fill(target.user.username));
    const accepted = answers.filter((a: Json) => a.type === 'response');
    assert.equal(accepted.length, 1, JSON.stringify(answers.slice(0, 3)));
    for (const refused of answers.filter((a: Json) => a.type === 'error')) {
      assert.equal(refused.error.code, 'CONFLICT');
      // The battle's id, once the first invitation got that far.
      if (refused.error.details.battleId !== undefined)
        assert.equal(refused.error.details.battleId, accepted[0].data.battleId);
    }
    assert.equal(await stored('arena_notifications', 'user_id', target.user.id), 1);
    const again = await invite(s, target.user.username);
    assert.equal(again.error.code, 'CONFLICT');
    assert.equal(again.error.details.battleId, accepted[0].data.battleId);
  });

  test('at most 3 pending in all (the setting); cancelling or a decline frees a place', async () => {
    const inviter = await app.createUser();
    const invitees = await Promise.all(Array.from({ length: 6 }, () => app.createUser()));
    const i = await connect(inviter.token);
    const answers = await inviteAtOnce(
      i,
      invitees.map((u) => u.user.username),
    );
    const accepted = answers.filter((a: Json) => a.type === 'response');
    assert.equal(accepted.length, 3);
    for (const refused of answers.filter((a: Json) => a.type === 'error')) {
      assert.equal(refused.error.code, 'RATE_LIMITED');
      assert.equal(refused.error.details.limit, 3);
    }
    const pending = await app.db
      .selectFrom('arena_battles')
      .select('id')
      .where('status', '=', 'pending')
      .where(
        'id',
        'in',
        accepted.map((a: Json) => a.data.battleId),
      )
      .execute();
    assert.equal(pending.length, 3);

    const waiting = invitees.find(
      (u) => !accepted.some((a: Json) => a.data.invitee.userId === u.user.id),
    )!;
    assert.equal((await invite(i, waiting.user.username)).error.code, 'RATE_LIMITED');
    // The inviter withdraws one: a place is free again.
    await ok(i, 'battle:leave', { battleId: accepted[0].data.battleId });
    await ok(i, 'battle:invite', { username: waiting.user.username, difficulty: 'easy' });
    assert.equal((await invite(i, invitees[0]!.user.username)).type, 'error');
    // An invitee declines: a place is free again, and that invitee may be asked anew.
    const declined = accepted[1];
    const invitee = await connect(
      invitees.find((u) => u.user.id === declined.data.invitee.userId)!.token,
    );
    await ok(invitee, 'notification:respond', {
      notificationId: declined.data.notificationId,
      action: 'decline',
    });
    await ok(i, 'battle:invite', { username: declined.data.invitee.username, difficulty: 'easy' });
  });
});
