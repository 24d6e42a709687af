// Hostile programs: each gets the right verdict and harms nothing. Every
// escape attempt tries to create a marker file in a host directory; the
// directory must stay empty, and the pool must keep serving normal runs —
// including other users' runs while a hostile one is still running.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunResult, RunVerdict, SandboxPool } from '../../src/sandbox/index.js';
import { markerDir, warmPool, type MarkerDir } from './fixture.js';

interface Case {
  name: string;
  language: 'python' | 'javascript';
  code: (marker: string) => string;
  verdicts: RunVerdict[];
  check?: (r: RunResult) => void;
  timeoutMs?: number;
}

const q = JSON.stringify;
const SECRET = 'ringside-test-secret-4f1c';
/** Python: take away the sandbox's import blocker first, to show the next layers hold on their own. */
const UNBLOCK =
  'import sys\nsys.meta_path[:] = [m for m in sys.meta_path if type(m).__name__ != "SandboxImportBlocker"]\n';

const CASES: Case[] = [
  {
    name: 'os.system',
    language: 'python',
    code: (m) => `import os\nos.system(${q(`touch ${m}`)})`,
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /PermissionError: os\.system is not allowed/),
  },
  {
    name: 'other process calls',
    language: 'python',
    code: (m) =>
      `import os\nfor call in (lambda: os.popen(${q(`touch ${m}`)}), lambda: os.execv("/bin/touch", ["touch", ${q(m)}]), lambda: os.execvp("touch", ["touch", ${q(m)}]), lambda: os.kill(1, 9)):\n    try:\n        call()\n        print("ran")\n    except PermissionError as e:\n        print("refused")`,
    verdicts: ['ok'],
    check: (r) => assert.equal(r.stdout, 'refused\n'.repeat(4)),
  },
  {
    name: 'subprocess',
    language: 'python',
    code: (m) => `import subprocess\nsubprocess.run(["touch", ${q(m)}])`,
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /ImportError: module 'subprocess' is not available/),
  },
  {
    name: 'import js',
    language: 'python',
    code: (m) => `import js\njs.process.mainModule.require("fs").writeFileSync(${q(m)}, "x")`,
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /ImportError: module 'js' is not available/),
  },
  {
    name: 'pyodide FFI modules',
    language: 'python',
    code: () =>
      `for name in ("pyodide_js", "pyodide.code", "pyodide.ffi", "_pyodide_core", "ctypes", "socket"):\n    try:\n        __import__(name)\n        print("imported", name)\n    except ImportError:\n        print("blocked", name)`,
    verdicts: ['ok'],
    check: (r) => assert.doesNotMatch(r.stdout, /imported/),
  },
  {
    name: "open('/etc/passwd')",
    language: 'python',
    code: () => 'print(open("/etc/passwd").read())',
    verdicts: ['runtime_error'],
    check: (r) => {
      assert.match(r.error!, /FileNotFoundError/);
      assert.doesNotMatch(r.stdout, /root:/);
    },
  },
  {
    name: 'writing the marker path (a virtual file system)',
    language: 'python',
    code: (m) =>
      `import os\nos.makedirs(os.path.dirname(${q(m)}), exist_ok=True)\nopen(${q(m)}, "w").write("x")\nprint(os.path.exists(${q(m)}))`,
    verdicts: ['ok'],
    check: (r) => assert.equal(r.stdout, 'True\n'), // exists inside Pyodide only
  },
  {
    name: 'the runtime files are read-only',
    language: 'python',
    code: () =>
      `import os\nfor attempt in (lambda: open("/lib/python314.zip", "wb"), lambda: os.chmod("/lib", 0o777), lambda: open("/lib/python3.14/site-packages/evil.py", "w")):\n    try:\n        attempt()\n        print("writable")\n    except OSError:\n        print("refused")`,
    verdicts: ['ok'],
    check: (r) => assert.equal(r.stdout, 'refused\n'.repeat(3)),
  },
  {
    name: 'no host environment',
    language: 'python',
    code: () => 'import os\nprint(sorted(os.environ.items()))',
    verdicts: ['ok'],
    check: (r) => assert.ok(!r.stdout.includes(SECRET)),
  },
  {
    name: 'ctypes after removing the import blocker',
    language: 'python',
    code: (m) =>
      `${UNBLOCK}import ctypes\nprint(ctypes.CDLL(None).system(${q(`touch ${m}`)}.encode()))`,
    verdicts: ['ok'],
    check: (r) => assert.equal(r.stdout, '-1\n'), // the wasm import behind system() is stubbed
  },
  {
    name: 'JavaScript FFI after removing the import blocker',
    language: 'python',
    code: (m) =>
      `${UNBLOCK}import importlib\nfor name in ("js", "pyodide_js"):\n    try:\n        importlib.import_module(name)\n        print("imported", name)\n    except ImportError:\n        print("gone", name)\nfrom pyodide.code import run_js\ntry:\n    run_js(${q(`require("fs").writeFileSync(${q(m)}, "x")`)})\n    print("ran js")\nexcept Exception as e:\n    print("no js:", type(e).__name__)`,
    verdicts: ['ok'],
    check: (r) => assert.equal(r.stdout, 'gone js\ngone pyodide_js\nno js: ModuleNotFoundError\n'),
  },
  {
    name: 'crashing the interpreter (the worker retires and is replaced)',
    language: 'python',
    code: () => `${UNBLOCK}import _pyodide_core\n_pyodide_core.trigger_fatal_error()`,
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /interpreter crashed/),
  },
  {
    name: 'while True: pass',
    language: 'python',
    code: () => 'while True: pass',
    verdicts: ['timeout'],
  },
  {
    name: 'catching KeyboardInterrupt to keep looping',
    language: 'python',
    code: () =>
      'while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass',
    verdicts: ['timeout'],
  },
  {
    name: 'a loop inside one C call (the worker is killed and replaced)',
    language: 'python',
    code: () => 'print(sum(range(10**12)))',
    verdicts: ['timeout'],
  },
  {
    name: 'time.sleep',
    language: 'python',
    code: () => 'import time\ntime.sleep(1000)',
    verdicts: ['timeout'],
  },
  {
    name: 'memory bomb: a list of bytearrays',
    language: 'python',
    code: () => 'x = []\nwhile True:\n    x.append(bytearray(1 << 20))',
    verdicts: ['memory'],
    timeoutMs: 5000,
    check: (r) => assert.ok(r.executionTime < 3000, `stopped in ${r.executionTime} ms`),
  },
  {
    name: "'a' * 10**10",
    language: 'python',
    code: () => "x = 'a' * 10**10",
    verdicts: ['runtime_error', 'memory'],
  },
  {
    name: 'deep recursion',
    language: 'python',
    code: () => 'import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\nf(0)',
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /RecursionError/),
  },
  {
    name: 'a flood of output',
    language: 'python',
    code: () => 'while True:\n    print("x" * 1000)',
    verdicts: ['output_limit'],
    check: (r) => assert.ok(r.truncated && Buffer.byteLength(r.stdout) < 65 * 1024),
  },
  {
    name: 'ignoring SIGINT',
    language: 'python',
    code: () => 'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass',
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /PermissionError/),
  },
  {
    name: 'process.exit()',
    language: 'javascript',
    code: () => 'process.exit(1)',
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /ReferenceError: 'process' is not defined/),
  },
  {
    name: "require('fs')",
    language: 'javascript',
    code: (m) => `require('fs').writeFileSync(${q(m)}, 'x')`,
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /ReferenceError: 'require' is not defined/),
  },
  {
    name: "import('fs')",
    language: 'javascript',
    code: (m) =>
      `import('fs').then((fs) => { fs.writeFileSync(${q(m)}, 'x'); console.log('imported') }, (e) => console.log('refused'))`,
    verdicts: ['ok'],
    check: (r) => assert.equal(r.stdout, 'refused\n'),
  },
  {
    name: 'host objects through the global object and Function',
    language: 'javascript',
    code: () =>
      "const g = Function('return this')();\nconsole.log(['process', 'require', 'module', 'fetch', 'WebAssembly', 'Buffer', 'std', 'os'].map((k) => typeof g[k]).join(' '))",
    verdicts: ['ok'],
    check: (r) => assert.equal(r.stdout, `${'undefined '.repeat(7)}undefined\n`),
  },
  {
    name: 'for(;;){}',
    language: 'javascript',
    code: () => 'for (;;) {}',
    verdicts: ['timeout'],
  },
  {
    name: 'memory bomb: a JS array growing forever',
    language: 'javascript',
    code: () => 'const a = [];\nfor (;;) a.push([1, 2, 3, {}]);',
    verdicts: ['memory'],
    timeoutMs: 5000,
    check: (r) => assert.ok(r.executionTime < 3000, `stopped in ${r.executionTime} ms`),
  },
  {
    name: 'memory bomb: array buffers',
    language: 'javascript',
    code: () => 'const a = [];\nfor (;;) a.push(new ArrayBuffer(1 << 20));',
    verdicts: ['memory'],
    timeoutMs: 5000,
  },
  {
    name: 'deep recursion (JS)',
    language: 'javascript',
    code: () => 'function f(n) { return f(n + 1) + 1 }\nf(0)',
    verdicts: ['runtime_error'],
    check: (r) => assert.match(r.error!, /stack/i),
  },
  {
    name: 'a flood of output (JS)',
    language: 'javascript',
    code: () => "for (;;) console.log('x'.repeat(1000))",
    verdicts: ['output_limit'],
  },
];

describe('hostile programs', () => {
  let pool: SandboxPool;
  let markers: MarkerDir;

  before(async () => {
    process.env.RINGSIDE_SANDBOX_SECRET = SECRET;
    markers = markerDir();
    pool = await warmPool({ pythonWorkers: 2, javascriptWorkers: 2 });
  });

  after(async () => {
    await pool.close();
    markers.remove();
    delete process.env.RINGSIDE_SANDBOX_SECRET;
  });

  const runCases = (language: Case['language']) => async () => {
    for (const c of CASES.filter((k) => k.language === language)) {
      const result = await pool.run({
        language,
        code: c.code(markers.marker(c.name.replace(/\W+/g, '-'))),
        timeoutMs: c.timeoutMs ?? 1000,
      });
      assert.ok(
        c.verdicts.includes(result.verdict),
        `${c.name}: got ${result.verdict} ${result.error ?? ''}`,
      );
      c.check?.(result);
      assert.deepEqual(markers.created(), [], `${c.name} created a host file`);
      const normal = await pool.run({
        language,
        code: language === 'python' ? 'print(6 * 7)' : 'console.log(6 * 7)',
      });
      assert.equal(normal.stdout, '42\n', `the pool still serves after ${c.name}`);
    }
  };

  it('Python: every attempt gets its verdict and touches nothing', runCases('python'));
  it('JavaScript: every attempt gets its verdict and touches nothing', runCases('javascript'));

  it('a guest cannot open a network connection, even without the import blocker', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const r = await pool.run({
        language: 'python',
        code: `${UNBLOCK}import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${port}), timeout=1)\n    print("connected")\nexcept OSError as e:\n    print("refused", e.errno)`,
      });
      assert.equal(r.verdict, 'ok', r.error ?? '');
      assert.match(r.stdout, /^refused/);
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });

  it("other users' runs finish in their normal time while hostile runs are running", async () => {
    // Earlier cases had a worker killed (the backstop): wait until its replacement is warm.
    await pool.ready();
    let hogsDone = false;
    const hogs = Promise.all([
      pool.run({ language: 'python', code: 'while True: pass' }),
      pool.run({ language: 'javascript', code: 'for (;;) {}' }),
    ]).then((r) => {
      hogsDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5; i++) {
      for (const [language, code] of [
        ['python', `print(${i} * 2)`],
        ['javascript', `console.log(${i} * 2)`],
      ] as const) {
        const t0 = performance.now();
        const r = await pool.run({ language, code });
        const took = performance.now() - t0;
        assert.equal(r.stdout, `${i * 2}\n`);
        assert.ok(took < 1000, `${language} run took ${took} ms next to a hostile run`);
      }
    }
    assert.equal(hogsDone, false, 'the quick runs were served while the hostile ones still ran');
    const [py, js] = await hogs;
    assert.deepEqual([py.verdict, js.verdict], ['timeout', 'timeout']);
  });

  it('workers run under the permission model, with no environment, in their own network namespace', () => {
    const pids = pool.info().languages.flatMap((l) => l.pids);
    assert.ok(pids.length >= 2);
    for (const pid of pids) {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.ok(argv.includes('--experimental-permission'), argv.join(' '));
      assert.ok(argv.includes('--disallow-code-generation-from-strings'));
      for (const flag of [
        '--allow-child-process',
        '--allow-worker',
        '--allow-fs-write',
        '--allow-addons',
      ]) {
        assert.ok(!argv.some((a) => a.startsWith(flag)), `${flag} must not be given`);
      }
      const readable = argv.filter((a) => a.startsWith('--allow-fs-read='));
      assert.ok(
        readable.length > 0 &&
          readable.every((a) => a.includes('node_modules') || a.includes('sandbox')),
      );
      assert.ok(!readable.some((a) => a === '--allow-fs-read=*' || a === '--allow-fs-read=/'));
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      assert.ok(
        !env.includes(SECRET) && !/(^|\0)PATH=/.test(env),
        'the server environment is not inherited',
      );
      if (pool.info().networkNamespace) {
        assert.notEqual(
          fs.readlinkSync(`/proc/${pid}/ns/net`),
          fs.readlinkSync('/proc/self/ns/net'),
        );
      }
    }
  });

  it('replaced the worker killed by the C-level loop', () => {
    const python = pool.info().languages.find((l) => l.language === 'python')!;
    assert.ok(python.restarts >= 1, 'a killed worker is replaced');
    assert.deepEqual(markers.created(), []);
  });
});
