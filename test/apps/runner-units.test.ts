// The runner's parts without Pyodide: the task queue (limit, order, progress, cancel),
// ordered replies, the error line taken from a traceback, the leaderboard's rules, and
// the sandbox's own failures (busy, unavailable, bad request) as the client sees them,
// through a stand-in pool over real sockets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Leaderboard, UnknownPlayerError } from '../../src/apps/runner/leaderboard.js';
import { createRunnerModule } from '../../src/apps/runner/index.js';
import { OrderedReplies } from '../../src/apps/runner/ordered-replies.js';
import { guestMessage, shortError } from '../../src/apps/runner/run-output.js';
import { TaskQueue, type TaskContext, type TaskOutcome } from '../../src/apps/runner/task-queue.js';
import {
  SandboxBusyError,
  SandboxRequestError,
  SandboxUnavailableError,
  type RunResult,
  type SandboxPool,
} from '../../src/sandbox/index.js';
import { startTestApp, type TestApp } from './context.js';
import { TestClient } from './ws-client.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TaskQueue', () => {
  function queue(concurrency: number, maxPending = 100) {
    const started: string[] = [];
    const updates: [string, string, number][] = [];
    const gates = new Map<string, ReturnType<typeof deferred<TaskOutcome>>>();
    const contexts = new Map<string, TaskContext>();
    const q = new TaskQueue({
      concurrency,
      maxPending,
      execute: (task, context) => {
        started.push(task.id);
        contexts.set(task.id, context);
        const gate = deferred<TaskOutcome>();
        gates.set(task.id, gate);
        return gate.promise;
      },
      emit: (id, status, progress) => updates.push([id, status, progress]),
    });
    return { q, started, updates, gates, contexts };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  test('runs at most `concurrency` at once, the rest in arrival order as slots free', async () => {
    const { q, started, gates } = queue(2);
    assert.equal(q.add(['a', 'b', 'c', 'd'].map((id) => ({ id, action: 'x' }))), null);
    assert.deepEqual(started, ['a', 'b']);
    gates.get('b')!.resolve({ status: 'completed', result: 1 });
    await tick();
    assert.deepEqual(started, ['a', 'b', 'c']);
    gates.get('a')!.resolve({ status: 'failed', result: 2 });
    await tick();
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
    assert.equal(q.pending, 2);
  });

  test('progress only grows and stays below 1 while running; completed is 1, failed keeps its last value', async () => {
    const { q, updates, gates, contexts } = queue(2);
    q.add([
      { id: 'a', action: 'x' },
      { id: 'b', action: 'x' },
    ]);
    const a = contexts.get('a')!;
    for (const p of [0.2, 0.1, 0.2, 0.5, 1, 7, NaN, 0.6]) a.progress(p);
    contexts.get('b')!.progress(0.3);
    gates.get('a')!.resolve({ status: 'completed', result: null });
    gates.get('b')!.resolve({ status: 'failed', result: null });
    await tick();
    assert.deepEqual(
      updates.filter((u) => u[0] === 'a'),
      [
        ['a', 'running', 0],
        ['a', 'running', 0.2],
        ['a', 'running', 0.5],
        ['a', 'running', 0.6],
        ['a', 'completed', 1],
      ],
    );
    assert.deepEqual(
      updates.filter((u) => u[0] === 'b'),
      [
        ['b', 'running', 0],
        ['b', 'running', 0.3],
        ['b', 'failed', 0.3],
      ],
    );
  });

  test('refuses duplicate ids (in the batch or still active) and more than maxPending, all or nothing', async () => {
    const { q, started, gates } = queue(1, 3);
    assert.match(
      q.add([
        { id: 'a', action: 'x' },
        { id: 'a', action: 'x' },
      ])!,
      /Duplicate task id: a/,
    );
    assert.equal(q.pending, 0);
    assert.equal(q.add([{ id: 'a', action: 'x' }]), null);
    assert.match(q.add([{ id: 'a', action: 'x' }])!, /Duplicate task id: a/);
    assert.match(
      q.add(['b', 'c', 'd'].map((id) => ({ id, action: 'x' })))!,
      /at most 3 waiting or running/,
    );
    assert.equal(q.pending, 1);
    gates.get('a')!.resolve({ status: 'completed', result: null });
    await tick();
    // A finished id may be used again.
    assert.equal(q.add([{ id: 'a', action: 'x' }]), null);
    assert.deepEqual(started, ['a', 'a']);
  });

  test('cancel: waiting tasks never start, running ones are aborted and report nothing more', async () => {
    const { q, started, updates, gates, contexts } = queue(1);
    q.add(['a', 'b', 'c'].map((id) => ({ id, action: 'x' })));
    const before = updates.length;
    q.cancel();
    assert.equal(contexts.get('a')!.signal.aborted, true);
    contexts.get('a')!.progress(0.5);
    gates.get('a')!.resolve({ status: 'completed', result: null });
    await tick();
    await tick();
    assert.deepEqual(started, ['a']);
    assert.equal(updates.length, before);
    assert.notEqual(q.add([{ id: 'z', action: 'x' }]), null);
  });
});

test('OrderedReplies: answers leave in reservation order whatever order they are given in', () => {
  const sent: string[] = [];
  const replies = new OrderedReplies((t) => sent.push(t));
  const [a, b, c] = [replies.reserve(), replies.reserve(), replies.reserve()];
  c('c');
  b('b');
  assert.deepEqual(sent, []);
  assert.equal(replies.pending, 3);
  a('a');
  a('again');
  assert.deepEqual(sent, ['a', 'b', 'c']);
  const d = replies.reserve();
  replies.clear();
  d('d');
  assert.deepEqual(sent, ['a', 'b', 'c']);
});

describe('the short error line', () => {
  const result = (verdict: RunResult['verdict'], error: string | null): RunResult => ({
    verdict,
    stdout: '',
    stderr: '',
    error,
    executionTime: 1,
    memoryUsed: 1,
    truncated: false,
  });

  test('Python: the exception line and the deepest line of main.py', () => {
    const traceback =
      'Traceback (most recent call last):\n  File "main.py", line 4, in <module>\n    f()\n  File "main.py", line 2, in f\n    return 1/0\n           ~^~\nZeroDivisionError: division by zero';
    assert.equal(guestMessage(traceback, 'python'), 'ZeroDivisionError: division by zero (line 2)');
    assert.equal(
      shortError(result('runtime_error', traceback), 'python'),
      'Runtime error: ZeroDivisionError: division by zero (line 2)',
    );
    assert.equal(
      shortError(
        result(
          'compile_error',
          '  File "main.py", line 1\n    print(1\n         ^\nSyntaxError: \'(\' was never closed',
        ),
        'python',
      ),
      "Compilation error: SyntaxError: '(' was never closed (line 1)",
    );
    assert.equal(
      shortError(result('runtime_error', 'SystemExit: 3'), 'python'),
      'Runtime error: SystemExit: 3',
    );
  });

  test('JavaScript: the first line, with the line of the main.js frame unless it has one', () => {
    assert.equal(
      shortError(
        result('runtime_error', 'TypeError: bad\n    at <eval> (main.js:3:58)'),
        'javascript',
      ),
      'Runtime error: TypeError: bad (line 3)',
    );
    assert.equal(
      shortError(
        result('compile_error', "SyntaxError: expecting ',' (line 1, column 14)"),
        'javascript',
      ),
      "Compilation error: SyntaxError: expecting ',' (line 1, column 14)",
    );
  });

  test('limits are named without the guest text; success is null', () => {
    assert.equal(
      shortError(result('timeout', 'Time limit exceeded'), 'python'),
      'Time limit exceeded',
    );
    assert.equal(shortError(result('memory', 'x'), 'javascript'), 'Memory limit exceeded');
    assert.equal(shortError(result('output_limit', 'x'), 'python'), 'Output limit exceeded');
    assert.equal(shortError(result('ok', null), 'python'), null);
  });
});

test('Leaderboard: default players, reset, ids assigned around given ones, sorted by score then id', () => {
  const board = new Leaderboard();
  assert.deepEqual(
    board.standings().map((p) => [p.id, p.name, p.score]),
    [
      [1, 'Alice', 0],
      [2, 'Bob', 0],
      [3, 'Charlie', 0],
      [4, 'Diana', 0],
    ],
  );
  board.update(3, 5);
  board.update(1, 5);
  board.update(2, -1);
  assert.deepEqual(
    board.standings().map((p) => [p.id, p.score]),
    [
      [1, 5],
      [3, 5],
      [4, 0],
      [2, -1],
    ],
  );
  const fresh = board.start({ players: ['Ann', { id: 1, name: 'Ben' }, 'Cy'] });
  assert.deepEqual(fresh, [
    { id: 1, name: 'Ben', score: 0 },
    { id: 2, name: 'Ann', score: 0 },
    { id: 3, name: 'Cy', score: 0 },
  ]);
  assert.throws(() => board.update(4, 1), UnknownPlayerError);
  // The returned standings are copies: changing them changes nothing.
  fresh[0]!.score = 99;
  assert.equal(board.standings()[0]!.score, 0);
});

describe('sandbox failures over the wire (stand-in pool)', () => {
  let app: TestApp;
  let failWith: Error;
  before(async () => {
    const pool = {
      run: async () => {
        throw failWith;
      },
      judge: async () => {
        throw failWith;
      },
    } as unknown as SandboxPool;
    app = await startTestApp([createRunnerModule({ sandbox: pool })]);
  });
  after(() => app.stop());

  const run = {
    action: 'runCode',
    data: { language: 'python', code: 'print(1)', mode: 'standalone' },
  };

  test('busy, unavailable and refused requests: clear errors; /devws adds the sandbox code and message', async () => {
    const appws = await TestClient.connect(`${app.wsUrl}/appws`);
    const devws = await TestClient.connect(`${app.wsUrl}/devws`);
    failWith = new SandboxBusyError();
    appws.send(run);
    assert.deepEqual(await appws.next(), { action: 'error', error: 'Sandbox busy, try again' });
    devws.send(run);
    assert.deepEqual(await devws.next(), {
      action: 'error',
      error: 'Sandbox busy, try again',
      details: { code: 'BUSY', message: failWith.message },
    });
    failWith = new SandboxUnavailableError('python sandbox workers fail to start');
    appws.send(run);
    assert.deepEqual(await appws.next(), { action: 'error', error: 'Sandbox unavailable' });
    failWith = new SandboxRequestError('code is larger than 262144 bytes');
    appws.send(run);
    assert.deepEqual(await appws.next(), {
      action: 'error',
      error: 'Invalid data for runCode: code is larger than 262144 bytes',
    });
    failWith = new Error('boom');
    devws.send(run);
    assert.deepEqual(await devws.next(), {
      action: 'error',
      error: 'Internal error',
      details: { message: 'boom' },
    });
    // In a task, the same failures are a failed task with result {error}.
    failWith = new SandboxBusyError();
    appws.send({
      action: 'startTasks',
      data: { tasks: [{ id: 't', action: 'runCode', params: run.data }] },
    });
    assert.deepEqual(await appws.next(), {
      action: 'taskUpdate',
      data: { taskId: 't', status: 'running', progress: 0 },
    });
    assert.deepEqual(await appws.next(), {
      action: 'taskUpdate',
      data: {
        taskId: 't',
        status: 'failed',
        progress: 0,
        result: { error: 'Sandbox busy, try again' },
      },
    });
    await appws.close();
    await devws.close();
  });
});
