// Arena notifications, invitations, chat and teams over real sockets, on SQLite and on
// PostgreSQL (DIALECT=sqlite or DIALECT=postgres runs one): every connection of a user
// gets its notifications, an offline user gets them on connect, and everything the
// module stores (ratings too, through an invited battle) lives on both dialects.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createArenaModule } from '../../src/apps/arena/index.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import {
  connectArena,
  nextEvent,
  ok,
  request,
  SOLUTIONS,
  writeTestProblems,
  type Json,
} from './arena-client.js';
import { startTestApp, type TestApp } from './context.js';
import type { TestClient } from './ws-client.js';

const dialects = (process.env.DIALECT ?? 'sqlite,postgres').split(',');

for (const dialect of dialects) {
  describe(`arena notifications, chat and teams on ${dialect}`, () => {
    let app: TestApp;
    let pg: Postgres | undefined;
    let problemsDir: string;
    const clients: TestClient[] = [];

    before(async () => {
      problemsDir = writeTestProblems();
      if (dialect === 'postgres') pg = await startPostgres();
      app = await startTestApp(
        [createArenaModule({ problemsDir, forfeitGraceMs: 5000, adminUsers: ['Arena_Admin'] })],
        { database: pg?.url },
      );
    });

    after(async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await app.stop();
      await pg?.stop();
      rmSync(problemsDir, { recursive: true, force: true });
    });

    async function connect(token: string): Promise<TestClient> {
      const client = await connectArena(app.wsUrl, token);
      clients.push(client);
      return client;
    }

    async function api(method: string, path: string, token: string, body?: unknown) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(app.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Json };
    }

    test('an invitation reaches both connections of the invitee; accepting matches both players', async () => {
      const alice = await app.createUser();
      const bob = await app.createUser();
      const a = await connect(alice.token);
      const [b1, b2] = [await connect(bob.token), await connect(bob.token)];

      const invited = await ok(a, 'battle:invite', {
        username: bob.user.username,
        difficulty: 'easy',
        language: 'javascript',
      });
      assert.equal(invited.event, 'battle:invited');
      const battleId = invited.data.battleId;
      const [n1, n2] = await Promise.all([
        nextEvent(b1, 'notification:user'),
        nextEvent(b2, 'notification:user'),
      ]);
      assert.deepEqual(n1.data, n2.data);
      assert.equal(n1.data.id, invited.data.notificationId);
      assert.equal(n1.data.type, 'battle_invite');
      assert.equal(n1.data.title, 'Battle Invitation');
      assert.equal(n1.data.message, `${alice.user.username} invited you to a battle`);
      assert.equal(n1.data.data.battleId, battleId);
      assert.equal(n1.data.data.inviterId, alice.user.id);
      assert.equal(n1.data.data.difficulty, 'easy');
      assert.deepEqual(n1.data.actions, ['accept', 'decline']);

      const accepted = await ok(b2, 'notification:respond', {
        notificationId: n1.data.id,
        action: 'accept',
        language: 'javascript',
      });
      assert.equal(accepted.data.battleId, battleId);
      const [ma, mb] = await Promise.all([
        nextEvent(a, 'battle:matched'),
        nextEvent(b1, 'battle:matched'),
      ]);
      assert.equal(ma.data.battleId, battleId);
      assert.equal(ma.data.opponent.username, bob.user.username);
      assert.equal(mb.data.opponent.username, alice.user.username);
      const twice = await request(b1, 'notification:respond', {
        notificationId: n1.data.id,
        action: 'accept',
      });
      assert.equal(twice.error.code, 'INVALID_BATTLE_ID');

      // The battle's chat is for its two players only.
      const joined = await ok(a, 'chat:join', { channel: 'general', battleId });
      assert.equal(joined.data.channel, `battle:${battleId}`);
      const outsider = await app.createUser();
      const o = await connect(outsider.token);
      const refused = await request(o, 'chat:join', { channel: `battle:${battleId}` });
      assert.equal(refused.error.code, 'FORBIDDEN');
      await ok(b1, 'chat:join', { channel: `battle:${battleId}` });
      await ok(a, 'chat:send', { channel: `battle:${battleId}`, message: 'good luck' });
      const heard = await nextEvent(b1, 'chat:message');
      assert.equal(heard.data.message, 'good luck');
      assert.equal(heard.data.username, alice.user.username);

      // Bob solves it: ratings are stored on this dialect too.
      await ok(
        b1,
        'battle:submit',
        { battleId, code: SOLUTIONS.right, language: 'javascript' },
        20_000,
      );
      const ended = await nextEvent(a, 'battle:ended');
      assert.equal(ended.data.winner, bob.user.id);
      const board = await api('GET', '/api/leaderboard?limit=100', alice.token);
      const bobRow = board.body.leaderboard.find((r: Json) => r.userId === bob.user.id);
      assert.equal(bobRow.rating, 1216);
      assert.equal(bobRow.wins, 1);
      const history = await api(
        'GET',
        `/api/channels/${encodeURIComponent(`battle:${battleId}`)}/messages`,
        bob.token,
      );
      assert.deepEqual(
        history.body.messages.map((m: Json) => m.message),
        ['good luck'],
      );
      assert.equal(
        (await api('GET', `/api/channels/battle:${battleId}/messages`, outsider.token)).status,
        403,
      );
    });

    test('a user offline when notified gets it on connecting, once; a declined invitation tells the inviter', async () => {
      const carol = await app.createUser();
      const dave = await app.createUser();
      const c = await connect(carol.token);
      const invited = await ok(c, 'battle:invite', {
        username: dave.user.username,
        difficulty: 'medium',
      });
      // Dave was offline: the notification waits for him.
      const d = await connect(dave.token);
      const waiting = await nextEvent(d, 'notification:user');
      assert.equal(waiting.data.id, invited.data.notificationId);
      const second = await connect(dave.token);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(
        second.pending.filter((m) => m.event === 'notification:user'),
        [],
        'delivered once, not again on the next connection',
      );
      const declined = await ok(d, 'notification:respond', {
        notificationId: waiting.data.id,
        action: 'decline',
      });
      assert.equal(declined.data.status, 'declined');
      const told = await nextEvent(c, 'notification:user');
      assert.equal(told.data.type, 'battle_declined');
      assert.equal(told.data.data.battleId, invited.data.battleId);
      const gone = await request(c, 'battle:join', { battleId: invited.data.battleId });
      assert.equal(gone.error.code, 'INVALID_BATTLE_ID');
      assert.equal(gone.error.details.status, 'declined');

      const listed = await api('GET', '/api/notifications', dave.token);
      const invite = listed.body.notifications.find((n: Json) => n.id === waiting.data.id);
      assert.equal(invite.kind, 'user');
      assert.equal(invite.delivered, true);
      assert.equal(invite.response, 'decline');
    });

    test('system notifications: admins only, to every open connection', async () => {
      const admin = await app.createUser('arena_admin');
      const someone = await app.createUser();
      const listeners = [
        await connect(someone.token),
        await connect(someone.token),
        await connect(admin.token),
      ];
      const body = {
        title: 'Server Maintenance',
        message: 'Scheduled maintenance in 30 minutes',
        priority: 'high',
        action: { type: 'redirect', url: '/maintenance' },
      };
      const refused = await api('POST', '/api/admin/notifications', someone.token, body);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'FORBIDDEN');
      const sent = await api('POST', '/api/admin/notifications', admin.token, body);
      assert.equal(sent.status, 201);
      assert.ok(sent.body.recipients >= 3);
      for (const listener of listeners) {
        const event = await nextEvent(listener, 'notification:system');
        assert.deepEqual(
          { ...event.data, id: undefined, createdAt: undefined },
          { ...body, id: undefined, createdAt: undefined },
        );
        assert.equal(event.data.id, sent.body.notification.id);
      }
      const listed = await api('GET', '/api/notifications', someone.token);
      assert.equal(listed.body.notifications[0].kind, 'system');
      assert.equal(listed.body.notifications[0].title, 'Server Maintenance');
    });

    test('chat: join, send, reply, history with paging; sending needs a join', async () => {
      const erin = await app.createUser();
      const frank = await app.createUser();
      const e = await connect(erin.token);
      const f = await connect(frank.token);
      const notJoined = await request(e, 'chat:send', { channel: 'general', message: 'hi' });
      assert.equal(notJoined.error.code, 'NOT_JOINED');
      await ok(e, 'chat:join', { channel: 'general' });
      await ok(f, 'chat:join', { channel: 'general' });
      const sent = await ok(e, 'chat:send', {
        channel: 'general',
        message: 'Hello CoderspaE community!',
      });
      const got = await nextEvent(f, 'chat:message');
      assert.deepEqual(got.data, {
        channel: 'general',
        messageId: sent.data.messageId,
        userId: erin.user.id,
        username: erin.user.username,
        message: 'Hello CoderspaE community!',
        timestamp: sent.data.timestamp,
      });
      await nextEvent(e, 'chat:message'); // the sender's own copy
      await ok(f, 'chat:send', {
        channel: 'general',
        message: 'welcome',
        replyTo: sent.data.messageId,
      });
      const reply = await nextEvent(e, 'chat:message');
      assert.equal(reply.data.replyTo, sent.data.messageId);
      const badReply = await request(f, 'chat:send', {
        channel: 'general',
        message: 'x',
        replyTo: 'nope',
      });
      assert.equal(badReply.error.code, 'NOT_FOUND');
      const tooLong = await request(f, 'chat:send', {
        channel: 'general',
        message: 'x'.repeat(1001),
      });
      assert.equal(tooLong.error.code, 'VALIDATION_ERROR');

      const page1 = await api('GET', '/api/channels/general/messages?limit=1', erin.token);
      assert.deepEqual(
        page1.body.messages.map((m: Json) => m.message),
        ['welcome'],
      );
      const page2 = await api(
        'GET',
        `/api/channels/general/messages?limit=5&before=${page1.body.messages[0].messageId}`,
        erin.token,
      );
      assert.deepEqual(
        page2.body.messages.map((m: Json) => m.message),
        ['Hello CoderspaE community!'],
      );
    });

    test('teams: members added over REST, practice sessions and shared code reach every member', async () => {
      const owner = await app.createUser();
      const mate = await app.createUser();
      const stranger = await app.createUser();
      const created = await api('POST', '/api/teams', owner.token, { name: 'Dynamic Duo' });
      assert.equal(created.status, 201);
      const teamId = created.body.team.teamId;
      const o = await connect(owner.token);
      const m = await connect(mate.token);

      const added = await api('POST', `/api/teams/${teamId}/members`, owner.token, {
        username: mate.user.username,
      });
      assert.equal(added.status, 201);
      const [joinedO, joinedM] = await Promise.all([
        nextEvent(o, 'team:member_joined'),
        nextEvent(m, 'team:member_joined'),
      ]);
      assert.deepEqual(joinedO.data, {
        teamId,
        member: { userId: mate.user.id, username: mate.user.username, role: 'member' },
      });
      assert.deepEqual(joinedM.data, joinedO.data);
      assert.equal(
        (
          await api('POST', `/api/teams/${teamId}/members`, mate.token, {
            username: stranger.user.username,
          })
        ).status,
        403,
      );
      assert.equal(
        (
          await api('POST', `/api/teams/${teamId}/members`, owner.token, {
            username: mate.user.username,
          })
        ).status,
        409,
      );

      const practice = await ok(o, 'team:practice_start', { teamId, topic: 'dynamic-programming' });
      const started = await nextEvent(m, 'team:practice_started');
      assert.deepEqual(started.data, practice.data);
      assert.equal(started.data.topic, 'dynamic-programming');
      assert.deepEqual(started.data.participants.sort(), [owner.user.id, mate.user.id].sort());
      assert.equal(typeof started.data.sessionId, 'string');

      await ok(m, 'team:share_code', {
        teamId,
        problemId: 'add-easy',
        code: 'def solution():\n    pass\n',
        language: 'python',
        note: 'Alternative approach using DP',
      });
      const shared = await nextEvent(o, 'team:code_shared');
      assert.equal(shared.data.teamId, teamId);
      assert.equal(shared.data.sharedBy, mate.user.username);
      assert.equal(shared.data.problemId, 'add-easy');
      assert.equal(shared.data.language, 'python');
      assert.equal(shared.data.note, 'Alternative approach using DP');
      assert.equal(shared.data.code, 'def solution():\n    pass\n');

      const s = await connect(stranger.token);
      const notMember = await request(s, 'team:share_code', {
        teamId,
        problemId: 'x',
        code: 'x',
        language: 'python',
      });
      assert.equal(notMember.error.code, 'FORBIDDEN');
      const team = await api('GET', `/api/teams/${teamId}`, mate.token);
      assert.deepEqual(
        team.body.team.members.map((x: Json) => x.role),
        ['owner', 'member'],
      );
      const shares = await api('GET', `/api/teams/${teamId}/shares`, owner.token);
      assert.equal(shares.body.shares.length, 1);
    });
  });
}
