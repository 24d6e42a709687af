// Python in Pyodide, hardened, with the whole interpreter restored from a
// memory snapshot after every job so no state survives from one user to the next.
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { PyodideAPI } from 'pyodide';
import { CappedOutput } from './capped-output.js';
import { RunGuard } from './run-guard.js';
import { host } from './host.js';
import { removeHostGlobals } from './lockdown.js';
import { PYTHON_PRELUDE } from './python-prelude.js';
import { MiB, roundMs, toMiB, type Engine, type Progress } from './engine.js';
import { skippedTest } from './messages.js';
import type {
  JudgeJob,
  JudgeOutcome,
  RunJob,
  RunOutcome,
  RunStatus,
  TestOutcome,
} from './messages.js';

/** The parts of Pyodide's Emscripten module this file touches. */
interface EmModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  memory: WebAssembly.Memory;
  FS: EmFS;
  _malloc_footprint(): number;
  _malloc_max_footprint(): number;
  _malloc_set_footprint_limit(bytes: number): number;
  _emscripten_get_sbrk_ptr(): number;
}

interface EmNode {
  mode: number;
}
interface EmStream {
  fd: number;
  node: EmNode;
}
interface EmFS {
  filesystems: { MEMFS: unknown };
  streams: (EmStream | undefined)[];
  ErrnoError: new (errno: number) => Error;
  readdir(path: string): string[];
  lookupPath(path: string, opts?: { follow?: boolean }): { node: EmNode };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  getPath(node: EmNode): string;
  mount(type: unknown, opts: object, mountpoint: string): unknown;
  unmount(mountpoint: string): void;
  chdir(path: string): void;
  close(stream: EmStream): void;
  doChmod(stream: unknown, node: EmNode, mode: number, dontFollow: boolean): void;
}

type HarnessFn = ((...args: string[]) => string) & { destroy(): void };

interface Envelope {
  status: 'ok' | 'interrupted' | 'memory' | 'error' | 'compile_error';
  message?: string;
  value?: unknown;
}

const HOME = '/home/pyodide';
const WRITABLE_ROOTS = ['/tmp', HOME];
const EPERM = 63;
/** SIGINT, as Pyodide's interrupt buffer expects it. */
const SIGINT = 2;
/** After a first interrupt the guest may catch KeyboardInterrupt; interrupt again this often. */
const REFIRE_MS = 100;

/** Wasm imports replaced before instantiation: running host commands and opening sockets. */
const DENIED_IMPORTS: Record<string, (...args: number[]) => number> = {
  _emscripten_system: (command) => (command === 0 ? 0 : -1),
  __syscall_socket: () => -EPERM,
  __syscall_socketpair: () => -EPERM,
  __syscall_connect: () => -EPERM,
  __syscall_bind: () => -EPERM,
  __syscall_listen: () => -EPERM,
  __syscall_accept4: () => -EPERM,
  __syscall_sendto: () => -EPERM,
  __syscall_sendmsg: () => -EPERM,
  __syscall_recvfrom: () => -EPERM,
  __syscall_recvmsg: () => -EPERM,
};

export interface PythonEngineOptions {
  pyodideDir: string;
  /** the largest memory limit any job may ask for */
  maxMemoryLimitBytes: number;
}

export async function createPythonEngine(options: PythonEngineOptions): Promise<Engine> {
  const pyodideUrl = (file: string) => pathToFileURL(path.join(options.pyodideDir, file)).href;
  const { loadPyodide } = (await import(pyodideUrl('pyodide.mjs'))) as typeof import('pyodide');
  const createModule = (
    (await import(pyodideUrl('pyodide.asm.mjs'))) as {
      default: (settings: Record<string, unknown>) => Promise<unknown>;
    }
  ).default;

  const sinks = {
    stdout: null as CappedOutput | null,
    stderr: null as CappedOutput | null,
    stdin: Buffer.alloc(0),
    stdinOffset: 0,
  };
  const bootLog: string[] = [];

  const py: PyodideAPI = await loadPyodide({
    indexURL: options.pyodideDir + path.sep,
    // `import js` would otherwise be the worker's globalThis.
    jsglobals: Object.freeze(Object.create(null)),
    env: { HOME },
    stdout: (line) => bootLog.push(line),
    stderr: (line) => bootLog.push(line),
    createPyodideModule: ((settings: Record<string, unknown>) => {
      const instantiate = settings.instantiateWasm as (
        imports: Record<string, Record<string, unknown>>,
        done: unknown,
      ) => unknown;
      settings.instantiateWasm = (
        imports: Record<string, Record<string, unknown>>,
        done: unknown,
      ) => {
        for (const [name, stub] of Object.entries(DENIED_IMPORTS)) {
          if (imports.env && name in imports.env) imports.env[name] = stub;
        }
        return instantiate(imports, done);
      };
      return createModule(settings);
    }) as never,
  });
  const M = (py as unknown as { _module: EmModule })._module;
  const FS = M.FS;

  py.setStdout({ write: (buf: Uint8Array) => (sinks.stdout?.writeBytes(buf), buf.length) });
  py.setStderr({ write: (buf: Uint8Array) => (sinks.stderr?.writeBytes(buf), buf.length) });
  py.setStdin({
    read: (buf: Uint8Array) => {
      const n = Math.min(buf.length, sinks.stdin.length - sinks.stdinOffset);
      buf.set(sinks.stdin.subarray(sinks.stdinOffset, sinks.stdinOffset + n));
      sinks.stdinOffset += n;
      return n;
    },
  });

  const guard = new RunGuard(host.cpuMicros);
  let nextFire = 0;
  // Pyodide reads element 0 of this "buffer" every few dozen bytecodes; a getter
  // turns that poll into our deadline check (no SharedArrayBuffer or thread needed).
  py.setInterruptBuffer({
    get 0() {
      if (!guard.shouldStop()) return 0;
      const now = performance.now();
      if (now < nextFire) return 0;
      nextFire = now + REFIRE_MS;
      return SIGINT;
    },
    set 0(_value: number) {},
  } as unknown as Int32Array);

  for (const name of ['js', 'pyodide_js']) {
    try {
      py.unregisterJsModule(name);
    } catch {
      // not registered in this Pyodide version
    }
  }

  hardenFileSystem(FS);
  removeHostGlobals();

  // '<sandbox>' is the file name the prelude hides from guest tracebacks.
  const preludeGlobals = py.toPy({}) as { destroy(): void };
  const harness = py.runPython(PYTHON_PRELUDE, {
    globals: preludeGlobals as never,
    filename: '<sandbox>',
  }) as {
    toJs(opts: { depth: number }): HarnessFn[];
    destroy(): void;
  };
  const [runFn, loadFn, callFn] = harness.toJs({ depth: 1 });
  harness.destroy();
  preludeGlobals.destroy();

  // Warm the interpreter (and V8's tiers for its hot paths) before the snapshot.
  for (const code of [
    'print(sum(i * i for i in range(20000)))',
    'import json, re, collections, itertools, functools, math, heapq, bisect\nprint(json.dumps({"a": [1, 2]}))',
    'def f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)\nprint(f(18))',
  ]) {
    sinks.stdout = new CappedOutput(MiB, () => {});
    sinks.stderr = new CappedOutput(MiB, () => {});
    const warm = JSON.parse(runFn(code)) as Envelope;
    if (warm.status !== 'ok') {
      throw new Error(
        `Python warm-up failed: ${warm.message ?? warm.status}\n${bootLog.join('\n')}`,
      );
    }
  }
  sinks.stdout = sinks.stderr = null;

  const snapshot = takeSnapshot(M, FS);
  capMemoryGrowth(M.memory, Math.max(snapshot.heap.length, options.maxMemoryLimitBytes) + 64 * MiB);

  function begin(job: {
    stdin?: string;
    timeoutMs: number;
    memoryLimitBytes: number;
    outputLimitBytes: number;
  }) {
    const stdout = new CappedOutput(job.outputLimitBytes, () => guard.stop('output_limit'));
    const stderr = new CappedOutput(job.outputLimitBytes, () => guard.stop('output_limit'));
    sinks.stdout = stdout;
    sinks.stderr = stderr;
    sinks.stdin = Buffer.from(job.stdin ?? '', 'utf8');
    sinks.stdinOffset = 0;
    // The limit covers the interpreter's whole heap, the warm interpreter itself included.
    M._malloc_set_footprint_limit(job.memoryLimitBytes);
    nextFire = 0;
    return { stdout, stderr };
  }

  // dlmalloc's high-water mark; the snapshot restore resets it, so it is this job's peak.
  const memoryUsedBytes = () => M._malloc_max_footprint();
  const nearLimit = (limit: number) => memoryUsedBytes() >= limit - MiB;

  /** Set when the interpreter died (Pyodide fatal error); the worker then retires. */
  let dead = false;

  /** Calls a harness function; a JavaScript exception here means the interpreter died. */
  function call(fn: HarnessFn, ...args: string[]): Envelope {
    try {
      return JSON.parse(fn(...args)) as Envelope;
    } catch (err) {
      dead = true;
      const text = String((err as Error)?.message ?? err);
      if (/Maximum call stack size exceeded/.test(text)) {
        return {
          status: 'error',
          message: 'RecursionError: maximum recursion depth exceeded (the stack overflowed)',
        };
      }
      return { status: 'error', message: `the Python interpreter crashed: ${text.split('\n')[0]}` };
    }
  }

  function classify(
    env: Envelope,
    limitBytes: number,
  ): { status: RunStatus; error: string | null } {
    if (guard.reason === 'output_limit')
      return { status: 'output_limit', error: 'Output limit exceeded' };
    if (guard.reason === 'timeout') return { status: 'timeout', error: 'Time limit exceeded' };
    if (env.status === 'memory' || (env.status !== 'ok' && nearLimit(limitBytes))) {
      return { status: 'memory', error: 'Memory limit exceeded' };
    }
    switch (env.status) {
      case 'ok':
        return { status: 'ok', error: null };
      case 'compile_error':
        return { status: 'compile_error', error: env.message ?? 'SyntaxError' };
      case 'interrupted':
        // KeyboardInterrupt without our deadline: the program raised it itself.
        return { status: 'runtime_error', error: 'KeyboardInterrupt' };
      default:
        return { status: 'runtime_error', error: env.message ?? 'error' };
    }
  }

  return {
    async run(job: RunJob): Promise<RunOutcome> {
      const { stdout, stderr } = begin(job);
      guard.arm(job.timeoutMs);
      const started = performance.now();
      const env = call(runFn, job.code);
      const executionTime = performance.now() - started;
      guard.disarm();
      const { status, error } = classify(env, job.memoryLimitBytes);
      return {
        status,
        stdout: stdout.text(),
        stderr: stderr.text(),
        error,
        executionTime: roundMs(executionTime),
        memoryUsed: toMiB(memoryUsedBytes()),
        truncated: stdout.truncated || stderr.truncated,
      };
    },

    async judge(job: JudgeJob, progress: Progress): Promise<JudgeOutcome> {
      const outputs = begin(job);
      let truncated = false;
      guard.arm(job.timeoutMs);
      const loaded = call(loadFn, job.code, job.functionName);
      guard.disarm();
      const load = classify(loaded, job.memoryLimitBytes);
      truncated ||= outputs.stdout.truncated || outputs.stderr.truncated;
      const tests: TestOutcome[] = [];
      let stopped = load.status !== 'ok' || dead;
      if (!stopped) await progress(0);
      for (const input of job.inputs) {
        if (stopped) {
          tests.push(skippedTest());
          continue;
        }
        const { stdout, stderr } = begin(job);
        guard.arm(job.timeoutMs);
        const started = performance.now();
        const env = call(callFn, input);
        const executionTime = performance.now() - started;
        guard.disarm();
        const { status, error } = classify(env, job.memoryLimitBytes);
        truncated ||= stdout.truncated || stderr.truncated;
        tests.push({
          status,
          actual: status === 'ok' ? JSON.stringify(env.value ?? null) : null,
          error,
          stdout: stdout.text(),
          executionTime: roundMs(executionTime),
        });
        // Past a time or memory limit, or a dead interpreter, the rest is not run.
        if (status === 'timeout' || status === 'memory' || status === 'output_limit' || dead) {
          stopped = true;
        }
        await progress(tests.length, tests[tests.length - 1]!);
      }
      return {
        loadStatus: load.status,
        loadError: load.error,
        tests,
        memoryUsed: toMiB(memoryUsedBytes()),
        truncated,
      };
    },

    reusable(): boolean {
      return !dead && streamsIntact(FS, snapshot);
    },

    async reset(): Promise<boolean> {
      sinks.stdout = sinks.stderr = null;
      sinks.stdin = Buffer.alloc(0);
      guard.disarm();
      if (dead || !streamsIntact(FS, snapshot)) return false;
      restoreSnapshot(M, FS, snapshot);
      return true;
    },
  };
}

interface Snapshot {
  /** the wasm memory up to the program break: everything the interpreter had in use */
  heap: Uint8Array;
  footprint: number;
  /** where dlmalloc's heap starts (break - footprint) */
  heapBase: number;
  streams: (EmStream | undefined)[];
}

const programBreak = (M: EmModule): number => M.HEAPU32[M._emscripten_get_sbrk_ptr() >>> 2]!;

function takeSnapshot(M: EmModule, FS: EmFS): Snapshot {
  const brk = programBreak(M);
  const footprint = M._malloc_footprint();
  return {
    heap: M.HEAPU8.slice(0, brk),
    footprint,
    heapBase: brk - footprint,
    streams: [...FS.streams],
  };
}

/** The guest closed or replaced one of the descriptors open at the snapshot (stdin/out/err...). */
function streamsIntact(FS: EmFS, snapshot: Snapshot): boolean {
  return snapshot.streams.every((stream, fd) => !stream || FS.streams[fd] === stream);
}

/**
 * Puts the interpreter back exactly as it was after warm-up: the wasm memory
 * (Python's whole state, dlmalloc's included), the JavaScript-side file
 * descriptors and the two writable directories.
 */
function restoreSnapshot(M: EmModule, FS: EmFS, snapshot: Snapshot): void {
  // The wasm side's view of open files is in the heap we are about to restore;
  // make the JavaScript side agree with it.
  FS.streams.forEach((stream, fd) => {
    if (stream && snapshot.streams[fd] !== stream) {
      try {
        FS.close(stream);
      } catch {
        // already gone
      }
    }
  });
  const heap = M.HEAPU8;
  // Everything the run touched above the old break (at most up to its highest
  // break, which dlmalloc's peak footprint gives) goes back to zero.
  const highestBreak = Math.max(programBreak(M), snapshot.heapBase + M._malloc_max_footprint());
  const dirtyEnd = Math.min(heap.length, highestBreak + MiB);
  heap.set(snapshot.heap);
  if (dirtyEnd > snapshot.heap.length) heap.fill(0, snapshot.heap.length, dirtyEnd);
  for (const dir of WRITABLE_ROOTS) {
    FS.unmount(dir);
    FS.mount(FS.filesystems.MEMFS, {}, dir);
  }
  FS.chdir(HOME);
}

/**
 * Makes everything outside /tmp and the home directory read-only (Emscripten's
 * FS enforces mode bits), forbids chmod there, and mounts fresh, empty
 * in-memory filesystems on the two writable directories.
 */
function hardenFileSystem(FS: EmFS): void {
  const skip = new Set(['/dev', '/proc', ...WRITABLE_ROOTS]);
  const walk = (dir: string) => {
    for (const name of FS.readdir(dir)) {
      if (name === '.' || name === '..') continue;
      const full = dir === '/' ? `/${name}` : `${dir}/${name}`;
      if (skip.has(full)) continue;
      const { node } = FS.lookupPath(full, { follow: false });
      node.mode &= ~0o222;
      if (FS.isDir(node.mode)) walk(full);
    }
  };
  walk('/');
  FS.lookupPath('/').node.mode &= ~0o222;
  FS.lookupPath('/home').node.mode &= ~0o222;
  const doChmod = FS.doChmod.bind(FS);
  FS.doChmod = (stream, node, mode, dontFollow) => {
    const where = FS.getPath(node);
    if (!WRITABLE_ROOTS.some((root) => where === root || where.startsWith(root + '/'))) {
      throw new FS.ErrnoError(EPERM);
    }
    doChmod(stream, node, mode, dontFollow);
  };
  for (const dir of WRITABLE_ROOTS) FS.mount(FS.filesystems.MEMFS, {}, dir);
  FS.chdir(HOME);
}

/**
 * A backstop under dlmalloc's footprint limit: the wasm memory itself may not
 * grow past `maxBytes`, whatever asks for it.
 */
function capMemoryGrowth(memory: WebAssembly.Memory, maxBytes: number): void {
  const grow = WebAssembly.Memory.prototype.grow;
  Object.defineProperty(memory, 'grow', {
    value(this: WebAssembly.Memory, pages: number) {
      if (this.buffer.byteLength + pages * 65536 > maxBytes) {
        throw new RangeError('sandbox memory cap reached');
      }
      return grow.call(this, pages);
    },
  });
}
