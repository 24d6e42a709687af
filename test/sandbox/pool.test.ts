// The pool from the outside: start-up in the background, what a run returns
// (streams, stdin, errors, time, memory, output cap, default deadline), that
// nothing survives from one run to the next, many concurrent runs, the
// bounded queue's "busy" error, and close().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  SandboxPool,
  SandboxBusyError,
  SandboxCancelledError,
  type RunResult,
} from '../../src/sandbox/index.js';
import { alive, warmPool } from './fixture.js';

describe('sandbox pool', () => {
  let pool: SandboxPool;

  before(async () => {
    pool = new SandboxPool({ pythonWorkers: 1, javascriptWorkers: 2 });
    const t0 = performance.now();
    pool.start();
    assert.ok(performance.now() - t0 < 100, 'start() must return at once');
    // Arrives before any worker is warm: waits, then gets a normal answer.
    const [py, js] = await Promise.all([
      pool.run({ language: 'python', code: 'print("first")' }),
      pool.run({ language: 'javascript', code: 'console.log("first")' }),
    ]);
    assert.deepEqual(
      [py.verdict, py.stdout, js.verdict, js.stdout],
      ['ok', 'first\n', 'ok', 'first\n'],
    );
    await pool.ready();
  });

  after(() => pool.close());

  it('captures stdout and stderr apart and feeds stdin', async () => {
    const py = await pool.run({
      language: 'python',
      code: 'import sys\nname = input()\nn = int(input())\nprint("hello", name)\nprint("n*2 =", n * 2, file=sys.stderr)\nprint(sys.stdin.read() == "")',
      stdin: 'ada\n21\n',
    });
    assert.equal(py.verdict, 'ok');
    assert.equal(py.stdout, 'hello ada\nTrue\n');
    assert.equal(py.stderr, 'n*2 = 42\n');
    assert.equal(py.error, null);
    assert.equal(py.truncated, false);

    const js = await pool.run({
      language: 'javascript',
      code: 'const a = readline(), b = readline(); console.log("got", a, Number(b) + 1, readline()); console.error("warn", [1, "x"], { k: null });',
      stdin: 'first line\n41\n',
    });
    assert.equal(js.verdict, 'ok');
    assert.equal(js.stdout, 'got first line 42 null\n');
    assert.equal(js.stderr, "warn [ 1, 'x' ] { k: null }\n");
  });

  it('reports compile and runtime errors with their location', async () => {
    const cases: [RunResult, RunResult['verdict'], RegExp][] = [
      [
        await pool.run({ language: 'python', code: 'def f(:\n  pass' }),
        'compile_error',
        /SyntaxError/,
      ],
      [
        await pool.run({ language: 'python', code: 'print("before")\nx = {}\nx["missing"]' }),
        'runtime_error',
        /line 3[\s\S]*KeyError: 'missing'/,
      ],
      [
        await pool.run({ language: 'python', code: 'import sys\nsys.exit(3)' }),
        'runtime_error',
        /SystemExit: 3/,
      ],
      [
        await pool.run({ language: 'javascript', code: 'let = = 1' }),
        'compile_error',
        /SyntaxError.*line 1/,
      ],
      [
        await pool.run({ language: 'javascript', code: 'console.log("before");\nnull.x' }),
        'runtime_error',
        /TypeError[\s\S]*main\.js:2/,
      ],
    ];
    for (const [result, verdict, error] of cases) {
      assert.equal(result.verdict, verdict, JSON.stringify(result));
      assert.match(result.error ?? '', error);
    }
    // Output written before the error is kept; the traceback hides the sandbox's own frames.
    assert.equal(cases[1]![0].stdout, 'before\n');
    assert.doesNotMatch(cases[1]![0].error!, /<sandbox>|_ringside/);
    assert.equal(
      (await pool.run({ language: 'python', code: 'import sys\nsys.exit(0)' })).verdict,
      'ok',
    );
  });

  it('measures the run itself, not the time spent queueing', async () => {
    const hog = pool.run({
      language: 'python',
      code: 'import time\nt = time.time()\nwhile time.time() - t < 0.6: pass',
    });
    const t0 = performance.now();
    const quick = await pool.run({ language: 'python', code: 'print(1)' });
    const waited = performance.now() - t0;
    assert.equal((await hog).verdict, 'ok');
    assert.ok((await hog).executionTime >= 550, `hog executionTime ${(await hog).executionTime}`);
    assert.ok(waited > 400, `the quick run queued behind the hog (${waited} ms)`);
    assert.ok(
      quick.executionTime < 200,
      `executionTime ${quick.executionTime} must not include queueing`,
    );
  });

  it('reports the peak memory of the run', async () => {
    const small = await pool.run({ language: 'python', code: 'print(1)' });
    const big = await pool.run({
      language: 'python',
      code: 'x = bytearray(60 * 1024 * 1024)\ndel x\nprint("freed")',
    });
    assert.ok(small.memoryUsed > 1 && small.memoryUsed < 40, `python baseline ${small.memoryUsed}`);
    assert.ok(big.memoryUsed >= 60 && big.memoryUsed < 128, `python peak ${big.memoryUsed}`);
    const jsSmall = await pool.run({ language: 'javascript', code: 'console.log(1)' });
    const jsBig = await pool.run({
      language: 'javascript',
      code: 'const a = []; for (let i = 0; i < 40; i++) a.push(new Uint8Array(1 << 20).fill(1)); console.log(a.length)',
    });
    assert.ok(jsSmall.memoryUsed < 5, `js baseline ${jsSmall.memoryUsed}`);
    assert.ok(jsBig.memoryUsed >= 40 && jsBig.memoryUsed <= 128, `js peak ${jsBig.memoryUsed}`);
  });

  it('cuts output at the limit with a marker and stops the program', async () => {
    for (const [language, code] of [
      ['python', 'while True:\n    print("flood" * 100)'],
      ['javascript', 'for (;;) console.log("flood".repeat(100))'],
    ] as const) {
      const r = await pool.run({ language, code });
      assert.equal(r.verdict, 'output_limit');
      assert.equal(r.truncated, true);
      assert.match(r.stdout, /\[output truncated: limit of 65536 bytes reached\]\n$/);
      assert.ok(Buffer.byteLength(r.stdout) < 64 * 1024 + 100);
      assert.ok(r.executionTime < 1500, `stopped early, not at the deadline (${r.executionTime})`);
    }
    const small = await pool.run({
      language: 'python',
      code: 'print("x" * 50)',
      outputLimitBytes: 10,
    });
    assert.equal(small.stdout, 'xxxxxxxxxx\n[output truncated: limit of 10 bytes reached]\n');
  });

  it('stops endless loops at the default 2 s CPU deadline', async () => {
    const [py, js] = await Promise.all([
      pool.run({ language: 'python', code: 'while True: pass' }),
      pool.run({ language: 'javascript', code: 'for (;;) {}' }),
    ]);
    for (const r of [py, js]) {
      assert.equal(r.verdict, 'timeout');
      assert.match(r.error ?? '', /Time limit exceeded/);
      assert.ok(
        r.executionTime >= 1900 && r.executionTime < 6500,
        `executionTime ${r.executionTime}`,
      );
    }
    assert.equal(
      (await pool.run({ language: 'python', code: 'print("still here")' })).stdout,
      'still here\n',
    );
  });

  it('lets nothing survive from one run to the next', async () => {
    const dirty = await pool.run({
      language: 'python',
      code: [
        'import builtins, json, sys, os, random',
        'builtins.print = lambda *a, **k: None',
        'json.dumps = lambda *a, **k: "patched"',
        'sys.setrecursionlimit(50)',
        'sys.modules["leak"] = "secret"',
        'open("/tmp/left-behind.txt", "w").write("secret")',
        'open("left-in-home.txt", "w").write("secret")',
        'os.chdir("/tmp")',
      ].join('\n'),
    });
    assert.equal(dirty.verdict, 'ok', dirty.error ?? '');
    const clean = await pool.run({
      language: 'python',
      code: [
        'import json, sys, os',
        'print(json.dumps([1]), sys.getrecursionlimit(), "leak" in sys.modules)',
        'print(os.getcwd(), os.listdir("/tmp"), os.listdir("."))',
      ].join('\n'),
    });
    assert.equal(clean.stdout, '[1] 1000 False\n/home/pyodide [] []\n');

    await pool.run({
      language: 'javascript',
      code: 'globalThis.leak = "secret"; Array.prototype.push = null; console.log = null',
    });
    const js = await pool.run({
      language: 'javascript',
      code: 'const a = []; a.push(typeof leak); console.log(a[0])',
    });
    assert.equal(js.stdout, 'undefined\n');
  });

  it('answers 50 concurrent runs correctly', async () => {
    const runs = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? pool.run({ language: 'python', code: `n = ${i}\nprint(sum(range(n + 1)))` })
        : pool.run({
            language: 'javascript',
            code: `let s = 0; for (let k = 0; k <= ${i}; k++) s += k; console.log(s)`,
          }),
    );
    const results = await Promise.all(runs);
    results.forEach((r, i) => {
      assert.equal(r.verdict, 'ok', `run ${i}: ${r.error}`);
      assert.equal(r.stdout, `${(i * (i + 1)) / 2}\n`, `run ${i}`);
    });
  });
});

describe('sandbox queue and lifecycle', () => {
  it('answers "busy" past the queue timeout or limit, and recovers', async () => {
    const pool = await warmPool({
      pythonWorkers: 0,
      javascriptWorkers: 1,
      queueLimit: 2,
      queueTimeoutMs: 300,
    });
    try {
      const hog = pool.run({ language: 'javascript', code: 'for (;;) {}', timeoutMs: 1500 });
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      const waiting = [1, 2].map(() =>
        pool.run({ language: 'javascript', code: 'console.log(1)' }).then(
          () => assert.fail('should have been busy'),
          (err: unknown) => ({ err, after: performance.now() - t0 }),
        ),
      );
      // The queue (2) is full: the next one is refused at once.
      await assert.rejects(
        pool.run({ language: 'javascript', code: 'console.log(1)' }),
        (err: unknown) =>
          err instanceof SandboxBusyError && err.code === 'BUSY' && /full/.test(err.message),
      );
      for (const { err, after } of await Promise.all(waiting)) {
        assert.ok(err instanceof SandboxBusyError && err.code === 'BUSY', String(err));
        assert.ok(after >= 250 && after < 1200, `busy after ${after} ms`);
      }
      assert.equal((await hog).verdict, 'timeout');
      assert.equal(
        (await pool.run({ language: 'javascript', code: 'console.log("free")' })).stdout,
        'free\n',
      );
      await assert.rejects(pool.run({ language: 'python', code: 'print(1)' }), {
        code: 'UNAVAILABLE',
      });
    } finally {
      await pool.close();
    }
  });

  it('drops a queued request whose signal is aborted, and runs the next one', async () => {
    const pool = await warmPool({ pythonWorkers: 0, javascriptWorkers: 1 });
    try {
      const hog = pool.run({ language: 'javascript', code: 'for (;;) {}', timeoutMs: 1000 });
      await new Promise((r) => setTimeout(r, 50));
      const controller = new AbortController();
      const dropped = pool.run({
        language: 'javascript',
        code: 'console.log("should not run")',
        signal: controller.signal,
      });
      const next = pool.run({ language: 'javascript', code: 'console.log("next")' });
      const t0 = performance.now();
      controller.abort();
      await assert.rejects(dropped, (err: unknown) => err instanceof SandboxCancelledError);
      assert.ok(performance.now() - t0 < 100, 'cancelled at once, not after the hog');
      assert.equal((await hog).verdict, 'timeout');
      assert.equal((await next).stdout, 'next\n');
      // An already aborted signal never queues.
      await assert.rejects(
        pool.run({ language: 'javascript', code: '1', signal: AbortSignal.abort() }),
        { code: 'CANCELLED' },
      );
    } finally {
      await pool.close();
    }
  });

  it('close() kills every worker and refuses new work', async () => {
    const pool = await warmPool({ pythonWorkers: 0, javascriptWorkers: 2 });
    const pids = pool.info().languages.flatMap((l) => l.pids);
    assert.equal(pids.length, 2);
    assert.ok(pids.every(alive));
    const running = pool.run({ language: 'javascript', code: 'for (;;) {}', timeoutMs: 5000 }).then(
      () => null,
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    assert.equal(((await running) as { code?: string } | null)?.code, 'CLOSED');
    await assert.rejects(pool.run({ language: 'javascript', code: '1' }), { code: 'CLOSED' });
    assert.ok(
      pids.every((pid) => !alive(pid)),
      'every worker process is gone',
    );
  });

  it('refuses invalid requests before they reach a worker', async () => {
    const pool = new SandboxPool({ pythonWorkers: 0, javascriptWorkers: 0 });
    await assert.rejects(pool.run({ language: 'cobol' as never, code: '' }), {
      code: 'BAD_REQUEST',
    });
    await assert.rejects(pool.run({ language: 'javascript', code: '', timeoutMs: 60_000 }), {
      code: 'BAD_REQUEST',
    });
    await pool.close();
  });
});
