// The arena's pure parts: the matchmaking queue (rating window widening with the wait,
// nearest rating first, difficulty and mode kept apart), Elo, and the request bucket.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectedScore, updateRatings } from '../../src/apps/arena/elo.js';
import { Matchmaker, type QueueEntry } from '../../src/apps/arena/matchmaker.js';
import { TokenBucket } from '../../src/websocket/index.js';

function entry(userId: string, rating: number, more: Partial<QueueEntry> = {}) {
  return {
    userId,
    username: userId,
    rating,
    difficulty: 'medium' as const,
    mode: 'quick-battle' as const,
    language: 'python' as const,
    connectionId: `c-${userId}`,
    ...more,
  };
}

describe('matchmaking', () => {
  test('the rating window widens the longer a player waits', () => {
    let now = 0;
    const queue = new Matchmaker(
      { baseWindow: 100, widenPerSecond: 10, maxWindow: 500 },
      () => now,
    );
    queue.add(entry('a', 1200));
    queue.add(entry('b', 1450));
    assert.deepEqual(queue.takeMatches(), [], '250 apart: too far at first');
    now = 10_000; // 100 + 10 × 10 s = 200: still too far
    assert.deepEqual(queue.takeMatches(), []);
    now = 15_000; // 250: close enough
    const pairs = queue.takeMatches();
    assert.deepEqual(
      pairs.map(([x, y]) => [x.userId, y.userId]),
      [['a', 'b']],
    );
    assert.equal(queue.size, 0);
    now = 1_000_000;
    queue.add(entry('c', 1200));
    assert.equal(queue.windowOf(queue.get('c')!, now + 10_000_000), 500, 'capped');
  });

  test('nearest rating first; a long wait opens the window for newcomers too', () => {
    let now = 0;
    const queue = new Matchmaker(
      { baseWindow: 100, widenPerSecond: 10, maxWindow: 1000 },
      () => now,
    );
    queue.add(entry('old', 1500));
    now = 60_000; // old's window: 700
    queue.add(entry('far', 1000));
    queue.add(entry('near', 1450));
    queue.add(entry('nearer', 1480));
    const pairs = queue.takeMatches();
    assert.deepEqual(
      pairs.map(([x, y]) => [x.userId, y.userId]),
      [['old', 'nearer']],
    );
    // far and near: 450 apart, both just arrived (window 100): they wait.
    assert.deepEqual(queue.takeMatches(), []);
    now = 96_000; // 36 s of waiting: 460 ≥ 450
    assert.deepEqual(
      queue.takeMatches().map(([x, y]) => [x.userId, y.userId]),
      [['far', 'near']],
    );
  });

  test('difficulty and mode are never mixed; a player is queued once; leaving and disconnecting remove', () => {
    const queue = new Matchmaker(undefined, () => 0);
    queue.add(entry('a', 1200));
    queue.add(entry('b', 1200, { difficulty: 'hard' }));
    queue.add(entry('c', 1200, { mode: 'ranked' }));
    assert.deepEqual(queue.takeMatches(), []);
    assert.throws(() => queue.add(entry('a', 1200)), /already queued/);
    assert.equal(queue.positionOf('a'), 1);
    queue.add(entry('d', 1200, { difficulty: 'hard', language: 'javascript' }));
    assert.deepEqual(
      queue.takeMatches().map(([x, y]) => [x.userId, y.userId]),
      [['b', 'd']],
      'languages may differ',
    );
    assert.equal(queue.remove('a')?.userId, 'a');
    assert.equal(queue.removeByConnection('c-c')?.userId, 'c');
    assert.equal(queue.removeByConnection('c-c'), undefined);
    assert.equal(queue.size, 0);
  });
});

describe('Elo', () => {
  test('equal ratings move by 16; the favourite gains less; the total is kept', () => {
    assert.deepEqual(updateRatings(1200, 1200, 1), [1216, 1184]);
    assert.deepEqual(updateRatings(1200, 1200, 0.5), [1200, 1200]);
    const [strong, weak] = updateRatings(1600, 1200, 1);
    assert.equal(strong - 1600, 3);
    assert.equal(weak, 1197);
    const [upsetWinner, upsetLoser] = updateRatings(1200, 1600, 1);
    assert.deepEqual([upsetWinner, upsetLoser], [1229, 1571]);
    assert.ok(Math.abs(expectedScore(1200, 1600) - 0.0909) < 0.001);
  });
});

describe('request bucket', () => {
  test('a burst, then the rate', () => {
    const bucket = new TokenBucket(20, 100, 0);
    for (let i = 0; i < 100; i++) assert.equal(bucket.take(0), true, `request ${i}`);
    assert.equal(bucket.take(0), false);
    assert.equal(bucket.retryAfterMs(), 50);
    assert.equal(bucket.take(50), true);
    assert.equal(bucket.take(50), false);
    for (let i = 0; i < 100; i++) assert.equal(bucket.take(60_000), true);
    assert.equal(bucket.take(60_000), false, 'never more than the burst');
  });
});
