// Issue 11, defect 9: any runner connection could reset the one leaderboard everyone
// shared. Now a connection that names no game plays its own (what a spec-002 client
// that just sends startGame/updateScore gets), and a game named with ?game= is shared
// by its members, restarted only by its owner; ownership passes when the owner leaves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRunnerModule } from '../../src/apps/runner/index.js';
import { startTestApp, type TestApp } from '../apps/context.js';
import { refusal, TestClient, type Json } from '../apps/ws-client.js';

const names = (m: Json) => m.data.map((p: Json) => `${p.name}:${p.score}`);

describe('runner: games', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp([createRunnerModule()]);
  });
  after(() => app.stop());

  test('a spec-002 client plays its own game: a stranger can neither reset nor see it', async () => {
    const mine = await TestClient.connect(`${app.wsUrl}/appws`);
    const stranger = await TestClient.connect(`${app.wsUrl}/appws`);
    try {
      mine.send({ action: 'startGame' });
      assert.deepEqual(names(await mine.next()), ['Alice:0', 'Bob:0', 'Charlie:0', 'Diana:0']);
      mine.send({ action: 'updateScore', data: { playerId: 2, change: 5 } });
      assert.deepEqual(names(await mine.next()).slice(0, 1), ['Bob:5']);

      stranger.send({ action: 'startGame', data: { players: ['Mallory'] } });
      assert.deepEqual(names(await stranger.next()), ['Mallory:0']);
      stranger.send({ action: 'updateScore', data: { playerId: 1, change: 99 } });
      await stranger.next();
      assert.deepEqual(await mine.settle(150), [], 'nothing of the stranger reached this game');
      mine.send({ action: 'getLeaderboard' });
      assert.deepEqual(names(await mine.next()), ['Bob:5', 'Alice:0', 'Charlie:0', 'Diana:0']);
    } finally {
      await mine.close();
      await stranger.close();
    }
  });

  test('a named game: members score and see it, only the owner restarts, then the next member owns it', async () => {
    const owner = await TestClient.connect(`${app.wsUrl}/appws?game=finals`);
    const member = await TestClient.connect(`${app.wsUrl}/devws?game=finals`);
    const elsewhere = await TestClient.connect(`${app.wsUrl}/appws?game=semis`);
    try {
      owner.send({ action: 'startGame', data: { players: ['Ada', 'Linus'] } });
      for (const c of [owner, member])
        assert.deepEqual(names(await c.next()), ['Ada:0', 'Linus:0']);
      member.send({ action: 'updateScore', data: { playerId: 2, change: 3 } });
      for (const c of [owner, member])
        assert.deepEqual(names(await c.next()), ['Linus:3', 'Ada:0']);
      member.send({ action: 'startGame' });
      assert.equal((await member.next()).error, 'Only the owner of this game can restart it');
      assert.deepEqual(await owner.settle(100), []);
      assert.deepEqual(await elsewhere.settle(0), [], 'another game heard nothing');

      await owner.close();
      member.send({ action: 'startGame', data: { players: ['Grace'] } });
      assert.deepEqual(names(await member.next()), ['Grace:0']);
    } finally {
      await owner.close();
      await member.close();
      await elsewhere.close();
    }
    // The game ended with its last member: the name starts afresh.
    const again = await TestClient.connect(`${app.wsUrl}/appws?game=finals`);
    try {
      again.send({ action: 'getLeaderboard' });
      assert.equal((await again.next()).data.length, 4);
    } finally {
      await again.close();
    }
    assert.equal(await refusal(`${app.wsUrl}/appws?game=${'x'.repeat(65)}`), 400);
    assert.equal(await refusal(`${app.wsUrl}/appws?game=a%20b`), 400);
  });
});
