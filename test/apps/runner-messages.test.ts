// The runner protocol over real sockets (`ws` as the peer), everything that does not run
// code: the error shapes on /appws and the extra details on /devws, the leaderboard
// across several connections of both routes, task progress (sleep), unknown task
// actions and invalid params, the task limits, and the rate limit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRunnerModule } from '../../src/apps/runner/index.js';
import { startTestApp, type TestApp } from './context.js';
import { TestClient, type Json } from './ws-client.js';

let app: TestApp;
before(async () => {
  app = await startTestApp([createRunnerModule()]);
});
after(() => app.stop());

const connect = (route: 'appws' | 'devws') => TestClient.connect(`${app.wsUrl}/${route}`);

describe('errors', () => {
  const cases: { name: string; send: string | Json; error: string; details: (d: Json) => void }[] =
    [
      {
        name: 'bad JSON',
        send: '{"action": "runCode",',
        error: 'Invalid JSON',
        details: (d) => assert.equal(typeof d.message, 'string'),
      },
      {
        name: 'not an object',
        send: '[1,2]',
        error: 'Invalid message: expected an object {action, data?}',
        details: (d) => assert.equal(d.received, 'array'),
      },
      {
        name: 'no action',
        send: { data: {} },
        error: 'Invalid message: expected an object {action, data?}',
        details: (d) => assert.equal(d.received, 'undefined'),
      },
      {
        name: 'unknown action',
        send: { action: 'launchRocket' },
        error: 'Unknown action: launchRocket',
        details: (d) =>
          assert.deepEqual(d.knownActions, [
            'runCode',
            'startTasks',
            'startGame',
            'updateScore',
            'getLeaderboard',
          ]),
      },
      {
        name: 'runCode with an unknown language',
        send: { action: 'runCode', data: { language: 'ruby', code: 'puts 1', mode: 'standalone' } },
        error: 'Invalid data for runCode',
        details: (d) =>
          assert.deepEqual(
            d.issues.map((i: Json) => i.path),
            ['data.language'],
          ),
      },
      {
        name: 'runCode without data',
        send: { action: 'runCode' },
        error: 'Invalid data for runCode',
        details: (d) =>
          assert.deepEqual(
            d.issues.map((i: Json) => i.path),
            ['data'],
          ),
      },
      {
        name: 'runCode with a bad mode and no code',
        send: { action: 'runCode', data: { language: 'python', mode: 'everywhere' } },
        error: 'Invalid data for runCode',
        details: (d) =>
          assert.deepEqual(d.issues.map((i: Json) => i.path).sort(), ['data.code', 'data.mode']),
      },
      {
        name: 'updateScore with a string id',
        send: { action: 'updateScore', data: { playerId: '1', change: 5 } },
        error: 'Invalid data for updateScore',
        details: (d) =>
          assert.deepEqual(
            d.issues.map((i: Json) => i.path),
            ['data.playerId'],
          ),
      },
      {
        name: 'startTasks with a task without id',
        send: { action: 'startTasks', data: { tasks: [{ action: 'sleep', params: { ms: 1 } }] } },
        error: 'Invalid data for startTasks',
        details: (d) =>
          assert.deepEqual(
            d.issues.map((i: Json) => i.path),
            ['data.tasks.0.id'],
          ),
      },
      {
        name: 'startGame with duplicate player ids',
        send: {
          action: 'startGame',
          data: {
            players: [
              { id: 1, name: 'A' },
              { id: 1, name: 'B' },
            ],
          },
        },
        error: 'Invalid data for startGame',
        details: (d) =>
          assert.deepEqual(
            d.issues.map((i: Json) => i.path),
            ['data.players'],
          ),
      },
      {
        name: '51 tasks',
        send: {
          action: 'startTasks',
          data: {
            tasks: Array.from({ length: 51 }, (_, i) => ({
              id: `t${i}`,
              action: 'sleep',
              params: { ms: 1 },
            })),
          },
        },
        error: 'Too many tasks: at most 50 per startTasks',
        details: (d) =>
          assert.deepEqual(
            d.issues.map((i: Json) => i.path),
            ['data.tasks'],
          ),
      },
    ];

  test('/appws: exactly {action: "error", error} for each bad message; the connection lives on', async () => {
    const client = await connect('appws');
    for (const c of cases) {
      client.send(c.send);
      assert.deepEqual(await client.next(), { action: 'error', error: c.error }, c.name);
    }
    client.sendBinary(Buffer.from([1, 2, 3]));
    assert.deepEqual(await client.next(), {
      action: 'error',
      error: 'Binary messages are not supported',
    });
    client.send({ action: 'getLeaderboard' });
    assert.equal((await client.next()).action, 'leaderboardUpdate');
    await client.close();
  });

  test('/devws: the same errors with details saying why', async () => {
    const client = await connect('devws');
    for (const c of cases) {
      client.send(c.send);
      const message = await client.next();
      assert.deepEqual(Object.keys(message), ['action', 'error', 'details'], c.name);
      assert.equal(message.action, 'error');
      assert.equal(message.error, c.error, c.name);
      c.details(message.details);
    }
    await client.close();
  });

  test('past the error budget (20 invalid messages in 10 s) the connection is closed with 1008', async () => {
    const client = await connect('appws');
    for (let i = 0; i < 21; i++) client.send('not json');
    const closed = await client.closed;
    assert.equal(closed.code, 1008);
    assert.equal(client.received.filter((m) => m.error === 'Invalid JSON').length, 20);
  });
});

describe('leaderboard', () => {
  const standings = (m: Json) => m.data.map((p: Json) => [p.id, p.name, p.score]);

  test('every /appws and /devws connection of a game gets every update, sorted by score, highest first', async () => {
    // One game named on the address: the first to connect (a) owns it.
    const join = (route: 'appws' | 'devws') =>
      TestClient.connect(`${app.wsUrl}/${route}?game=board-1`);
    const clients = [await join('appws'), await join('devws'), await join('appws')];
    const [a, b, c] = clients as [TestClient, TestClient, TestClient];
    a.send({ action: 'startGame' });
    for (const client of clients) {
      const update = await client.next();
      assert.equal(update.action, 'leaderboardUpdate');
      assert.deepEqual(Object.keys(update), ['action', 'data']);
      assert.deepEqual(standings(update), [
        [1, 'Alice', 0],
        [2, 'Bob', 0],
        [3, 'Charlie', 0],
        [4, 'Diana', 0],
      ]);
    }
    b.send({ action: 'updateScore', data: { playerId: 3, change: 10 } });
    c.send({ action: 'updateScore', data: { playerId: 2, change: 4 } });
    a.send({ action: 'updateScore', data: { playerId: 1, change: -2.5 } });
    b.send({ action: 'updateScore', data: { playerId: 2, change: 6 } });
    // Whatever order the server took them in, the end is the same.
    const final = [
      [2, 'Bob', 10],
      [3, 'Charlie', 10], // a tie: the lower id first
      [4, 'Diana', 0],
      [1, 'Alice', -2.5],
    ];
    // Each client sent its own messages in order; across clients the server's order is
    // the arrival order, which is the same for every receiver.
    const seen = await Promise.all(
      clients.map(async (client) => {
        const got = [];
        for (let i = 0; i < 4; i++) got.push(standings(await client.next()));
        return got;
      }),
    );
    assert.deepEqual(seen[1], seen[0]);
    assert.deepEqual(seen[2], seen[0]);
    assert.deepEqual(seen[0]!.at(-1), final);
    for (const snapshot of seen[0]!) {
      const scores = snapshot.map((p: Json) => p[2]);
      assert.deepEqual(
        scores,
        [...scores].sort((x: number, y: number) => y - x),
      );
    }

    // Only the owner restarts the game; a member is told so, and nobody else hears of it.
    c.send({ action: 'startGame' });
    assert.deepEqual(await c.next(), {
      action: 'error',
      error: 'Only the owner of this game can restart it',
    });
    // startGame with players resets for everyone; ids are assigned where not given.
    a.send({ action: 'startGame', data: { players: ['Zed', { id: 7, name: 'Yve' }, 'Xan'] } });
    for (const client of clients)
      assert.deepEqual(standings(await client.next()), [
        [1, 'Zed', 0],
        [2, 'Xan', 0],
        [7, 'Yve', 0],
      ]);
    a.send({ action: 'updateScore', data: { playerId: 7, change: 1 } });
    for (const client of clients)
      assert.deepEqual(standings(await client.next()), [
        [7, 'Yve', 1],
        [1, 'Zed', 0],
        [2, 'Xan', 0],
      ]);

    // A player that is not in this game: an error to the sender only.
    a.send({ action: 'updateScore', data: { playerId: 3, change: 1 } });
    assert.deepEqual(await a.next(), { action: 'error', error: 'Unknown player: 3' });
    b.send({ action: 'updateScore', data: { playerId: 3, change: 1 } });
    assert.deepEqual(await b.next(), {
      action: 'error',
      error: 'Unknown player: 3',
      details: { players: [1, 2, 7] },
    });
    assert.deepEqual(await c.settle(100), []);

    // getLeaderboard answers the sender only; a closed connection is out of the audience.
    await c.close();
    b.send({ action: 'getLeaderboard' });
    assert.deepEqual(standings(await b.next()), [
      [7, 'Yve', 1],
      [1, 'Zed', 0],
      [2, 'Xan', 0],
    ]);
    assert.deepEqual(await a.settle(100), []);
    // startGame without players: the default players again, scores back to 0.
    a.send({ action: 'startGame', data: {} });
    for (const client of [a, b]) assert.equal((await client.next()).data.length, 4);
    a.send({ action: 'updateScore', data: { playerId: 4, change: 1 } });
    for (const client of [a, b]) assert.equal((await client.next()).data[0].name, 'Diana');
    a.send({ action: 'startGame', data: null });
    for (const client of [a, b])
      assert.deepEqual(
        (await client.next()).data.map((p: Json) => p.score),
        [0, 0, 0, 0],
      );
    await a.close();
    await b.close();
  });
});

describe('tasks', () => {
  const updates = async (client: TestClient, taskId: string) => {
    const got: Json[] = [];
    for (;;) {
      const m = await client.next(
        (x) => x.action === 'taskUpdate' && x.data.taskId === taskId,
        5000,
      );
      got.push(m.data);
      if (m.data.status !== 'running') return got;
    }
  };

  test('sleep: running 0, then every tenth, then completed 1 with {ms}; progress never goes back', async () => {
    const client = await connect('appws');
    const started = Date.now();
    client.send({
      action: 'startTasks',
      data: { tasks: [{ id: 'nap', action: 'sleep', params: { ms: 300 } }] },
    });
    const got = await updates(client, 'nap');
    assert.ok(Date.now() - started >= 290, 'slept the whole time');
    assert.deepEqual(
      got.map((u) => [u.status, u.progress]),
      [
        ['running', 0],
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => ['running', k / 10]),
        ['completed', 1],
      ],
    );
    assert.deepEqual(got.at(-1), {
      taskId: 'nap',
      status: 'completed',
      progress: 1,
      result: { ms: 300 },
    });
    for (const u of got.slice(0, -1))
      assert.deepEqual(Object.keys(u), ['taskId', 'status', 'progress']);
    // A short sleep has fewer steps (none closer than 20 ms), a zero one none at all.
    client.send({
      action: 'startTasks',
      data: {
        tasks: [
          { id: 'short', action: 'sleep', params: { ms: 60 } },
          { id: 'zero', action: 'sleep', params: { ms: 0 } },
        ],
      },
    });
    assert.deepEqual(
      (await updates(client, 'short')).map((u) => u.progress),
      [0, 1 / 3, 2 / 3, 1],
    );
    assert.deepEqual(
      (await updates(client, 'zero')).map((u) => [u.status, u.progress]),
      [
        ['running', 0],
        ['completed', 1],
      ],
    );
    await client.close();
  });

  test('an unknown action and invalid params fail with result {error}; /devws says more', async () => {
    const tasks = [
      { id: 'u', action: 'fly', params: {} },
      { id: 'p', action: 'sleep', params: { ms: -5 } },
      { id: 'q', action: 'sleep' },
    ];
    const appws = await connect('appws');
    appws.send({ action: 'startTasks', data: { tasks } });
    assert.deepEqual(await updates(appws, 'u'), [
      { taskId: 'u', status: 'running', progress: 0 },
      { taskId: 'u', status: 'failed', progress: 0, result: { error: 'Unknown task action: fly' } },
    ]);
    assert.deepEqual((await updates(appws, 'p')).at(-1), {
      taskId: 'p',
      status: 'failed',
      progress: 0,
      result: { error: 'Invalid params for sleep' },
    });
    assert.deepEqual((await updates(appws, 'q')).at(-1).result, {
      error: 'Invalid params for sleep',
    });
    const devws = await connect('devws');
    devws.send({ action: 'startTasks', data: { tasks } });
    assert.deepEqual((await updates(devws, 'u')).at(-1).result, {
      error: 'Unknown task action: fly',
      details: { knownActions: ['runCode', 'judge', 'sleep'] },
    });
    const p = (await updates(devws, 'p')).at(-1).result;
    assert.equal(p.error, 'Invalid params for sleep');
    assert.deepEqual(
      p.details.issues.map((i: Json) => i.path),
      ['params.ms'],
    );
    await appws.close();
    await devws.close();
  });

  test('at most 4 of a connection run at once; the rest start as others finish; other connections are not held up', async () => {
    const client = await connect('appws');
    const other = await connect('appws');
    client.send({
      action: 'startTasks',
      data: {
        tasks: Array.from({ length: 6 }, (_, i) => ({
          id: `s${i}`,
          action: 'sleep',
          params: { ms: 200 },
        })),
      },
    });
    other.send({
      action: 'startTasks',
      data: { tasks: [{ id: 'o', action: 'sleep', params: { ms: 0 } }] },
    });
    assert.equal((await updates(other, 'o')).at(-1).status, 'completed');
    const events: string[] = [];
    while (events.filter((e) => e.startsWith('done')).length < 6) {
      const m = await client.next((x) => x.action === 'taskUpdate', 3000);
      if (m.data.status === 'running' && m.data.progress === 0)
        events.push(`start ${m.data.taskId}`);
      if (m.data.status === 'completed') events.push(`done ${m.data.taskId}`);
    }
    const firstDone = events.findIndex((e) => e.startsWith('done'));
    assert.deepEqual(events.slice(0, firstDone), ['start s0', 'start s1', 'start s2', 'start s3']);
    let running = 0;
    for (const e of events) {
      running += e.startsWith('start') ? 1 : -1;
      assert.ok(running <= 4, events.join(', '));
    }
    await client.close();
    await other.close();
  });

  test('duplicate ids (in one message, or with a task still running) are refused whole: no task of that message runs', async () => {
    const client = await connect('appws');
    client.send({
      action: 'startTasks',
      data: {
        tasks: [
          { id: 'x', action: 'sleep', params: { ms: 0 } },
          { id: 'x', action: 'sleep', params: { ms: 0 } },
        ],
      },
    });
    assert.deepEqual(await client.next(), { action: 'error', error: 'Duplicate task id: x' });
    assert.deepEqual(await client.settle(100), []);
    // Also on /devws: nothing more to say than the error itself.
    const dev = await connect('devws');
    dev.send({
      action: 'startTasks',
      data: { tasks: [{ id: 'y', action: 'sleep', params: { ms: 50 } }] },
    });
    dev.send({
      action: 'startTasks',
      data: { tasks: [{ id: 'y', action: 'sleep', params: { ms: 0 } }] },
    });
    assert.deepEqual(await dev.next((m) => m.action === 'error'), {
      action: 'error',
      error: 'Duplicate task id: y',
    });
    await client.close();
    await dev.close();
  });
});

test('rate limit: a burst of 60 passes, past it each message gets {action: "error", error: "Rate limited"} and the socket stays open', async () => {
  const client = await connect('appws');
  for (let i = 0; i < 80; i++) client.send({ action: 'getLeaderboard' });
  const all: Json[] = [];
  for (let i = 0; i < 80; i++) all.push(await client.next());
  const limited = all.filter((m) => m.action === 'error');
  assert.ok(limited.length >= 5 && limited.length <= 20, `rate limited: ${limited.length}`);
  for (const m of limited) assert.deepEqual(m, { action: 'error', error: 'Rate limited' });
  assert.ok(all.filter((m) => m.action === 'leaderboardUpdate').length >= 60);
  await new Promise((r) => setTimeout(r, 200));
  client.send({ action: 'getLeaderboard' });
  assert.equal((await client.next()).action, 'leaderboardUpdate');
  await client.close();
});
