// JavaScript in QuickJS (quickjs-emscripten). Every job gets a brand-new wasm
// instance on a WebAssembly.Memory with a fixed maximum, so a memory bomb hits
// a hard ceiling (QuickJS's own runtime limit does not bound the module's total
// memory), a crashed instance is simply dropped, and nothing is shared between jobs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSSyncVariant,
  QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import { CappedOutput } from './capped-output.js';
import { RunGuard } from './run-guard.js';
import { host } from './host.js';
import { removeHostGlobals } from './lockdown.js';
import { CONSOLE_PRELUDE, JSON_PARSE_PRELUDE, TO_JSON_PRELUDE } from './javascript-prelude.js';
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

type Core = typeof import('quickjs-emscripten-core');

const PAGE = 65536;
/** The QuickJS build requires at least this much initial memory (256 pages). */
const INITIAL_BYTES = 16 * MiB;
/**
 * QuickJS's own stack limit (its default; the module's C stack is larger). About
 * 6,000 nested calls; the worker's V8 stack (--stack-size) is sized to hold them.
 */
const MAX_STACK_BYTES = 1024 * 1024;
const SOURCE_NAME = 'main.js';
/** Bound on promise jobs run after the main script, so a job loop still meets the deadline checks. */
const MAX_PENDING_JOBS = 1_000_000;
/** The parent validates this too; the worker checks again before splicing it into code. */
const FUNCTION_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/;

interface Instance {
  module: QuickJSWASMModule;
  memory: WebAssembly.Memory;
  limitBytes: number;
}

export interface JavaScriptEngineOptions {
  /** a file inside the quickjs-emscripten package, to resolve its dependencies from */
  quickjsEntry: string;
  defaultMemoryLimitBytes: number;
}

export async function createJavaScriptEngine(options: JavaScriptEngineOptions): Promise<Engine> {
  const req = createRequire(options.quickjsEntry);
  // Both packages ship an ESM build next to the CommonJS entry that require.resolve finds.
  const esm = (cjsPath: string) => pathToFileURL(cjsPath.replace(/\.js$/, '.mjs')).href;
  const core = (await import(esm(req.resolve('quickjs-emscripten-core')))) as Core;
  const variant = (
    (await import(esm(req.resolve('@jitl/quickjs-wasmfile-release-sync')))) as {
      default: QuickJSSyncVariant;
    }
  ).default;
  const wasmModule = await WebAssembly.compile(
    fs.readFileSync(req.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')),
  );
  removeHostGlobals();

  async function newInstance(limitBytes: number): Promise<Instance> {
    const memory = new WebAssembly.Memory({
      initial: INITIAL_BYTES / PAGE,
      // The whole instance, QuickJS itself included, lives within the job's memory limit.
      maximum: Math.ceil(Math.max(INITIAL_BYTES, limitBytes) / PAGE),
    });
    const module = await core.newQuickJSWASMModuleFromVariant(
      core.newVariant(variant, { wasmModule, wasmMemory: memory }),
    );
    return { module, memory, limitBytes };
  }

  const guard = new RunGuard(host.cpuMicros);

  interface Session {
    instance: Instance;
    runtime: QuickJSRuntime;
    ctx: QuickJSContext;
    sinks: { stdout: CappedOutput; stderr: CappedOutput };
    stdinLines: string[];
    nextLine: number;
    baseline: number;
    broken: boolean;
  }

  /** A fresh instance with a runtime and a context whose console is installed. */
  async function prepare(limitBytes: number): Promise<Session> {
    const instance = await newInstance(limitBytes);
    const runtime = instance.module.newRuntime();
    runtime.setMemoryLimit(limitBytes);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    runtime.setInterruptHandler(() => guard.shouldStop());
    const ctx = runtime.newContext();
    const session: Session = {
      instance,
      runtime,
      ctx,
      sinks: { stdout: new CappedOutput(0, () => {}), stderr: new CappedOutput(0, () => {}) },
      stdinLines: [],
      nextLine: 0,
      baseline: 0,
      broken: false,
    };
    const write = ctx.newFunction('write', (fdHandle, textHandle) => {
      const fd = ctx.getNumber(fdHandle);
      const text = ctx.getString(textHandle);
      (fd === 2 ? session.sinks.stderr : session.sinks.stdout).writeString(text);
    });
    const readLine = ctx.newFunction('readLine', () =>
      session.nextLine < session.stdinLines.length
        ? ctx.newString(session.stdinLines[session.nextLine++]!)
        : ctx.undefined,
    );
    const install = ctx.unwrapResult(
      ctx.evalCode(CONSOLE_PRELUDE, 'prelude.js', { type: 'global' }),
    );
    ctx.unwrapResult(ctx.callFunction(install, ctx.undefined, write, readLine)).dispose();
    install.dispose();
    write.dispose();
    readLine.dispose();
    session.baseline = instance.memory.buffer.byteLength;
    return session;
  }

  // The next job's session is prepared between jobs, off the request path.
  let spare: Promise<Session> | null = prepare(options.defaultMemoryLimitBytes);
  await spare;

  async function openSession(job: RunJob | JudgeJob, stdin: string): Promise<Session> {
    const ready = spare ? await spare.catch(() => null) : null;
    spare = null;
    const session =
      ready && ready.instance.limitBytes === job.memoryLimitBytes
        ? ready
        : await prepare(job.memoryLimitBytes);
    const stop = () => guard.stop('output_limit');
    session.sinks = {
      stdout: new CappedOutput(job.outputLimitBytes, stop),
      stderr: new CappedOutput(job.outputLimitBytes, stop),
    };
    session.stdinLines = stdin.length > 0 ? stdin.split('\n') : [];
    if (session.stdinLines[session.stdinLines.length - 1] === '') session.stdinLines.pop();
    return session;
  }

  /** Memory of the run: QuickJS's live heap at the end, or the instance's growth if larger. */
  function memoryUsedBytes(session: Session): number {
    const growth = session.instance.memory.buffer.byteLength - session.baseline;
    if (session.broken) return session.instance.memory.buffer.byteLength;
    let live = 0;
    try {
      const usage = session.runtime.computeMemoryUsage();
      const dumped = session.ctx.dump(usage) as { memory_used_size?: number };
      usage.dispose();
      live = dumped.memory_used_size ?? 0;
    } catch {
      session.broken = true;
    }
    return Math.max(live, growth);
  }

  /**
   * A failed allocation near the ceiling: the instance is within a quarter of
   * its maximum (one large request, such as an array doubling, can fail that early).
   */
  function nearMemoryCeiling(session: Session): boolean {
    const max = Math.max(INITIAL_BYTES, session.instance.limitBytes);
    return session.instance.memory.buffer.byteLength >= max * 0.75;
  }

  /** Turns a thrown guest value (or a host-side crash) into a verdict. */
  function classifyError(
    session: Session,
    error: unknown,
    hostCrash: boolean,
  ): { status: RunStatus; error: string } {
    if (guard.reason === 'output_limit')
      return { status: 'output_limit', error: 'Output limit exceeded' };
    if (guard.reason === 'timeout') return { status: 'timeout', error: 'Time limit exceeded' };
    const isObject = typeof error === 'object' && error !== null;
    const err = (isObject ? error : {}) as { name?: string; message?: string; stack?: string };
    const text = isObject
      ? `${err.name ?? 'Error'}: ${err.message ?? ''}`
      : `Uncaught ${String(error)}`;
    // When QuickJS cannot even allocate the error object it throws null.
    const bareThrow = !isObject || !err.name;
    if (/out of memory/i.test(text) || ((hostCrash || bareThrow) && nearMemoryCeiling(session))) {
      return { status: 'memory', error: 'Memory limit exceeded' };
    }
    if (hostCrash && /Maximum call stack size exceeded/.test(text)) {
      return { status: 'runtime_error', error: 'RangeError: Maximum call stack size exceeded' };
    }
    if (hostCrash)
      return { status: 'runtime_error', error: `the JavaScript engine crashed: ${text}` };
    if (err.name === 'InternalError' && /stack overflow/.test(err.message ?? '')) {
      return { status: 'runtime_error', error: 'RangeError: Maximum call stack size exceeded' };
    }
    const stack =
      typeof err.stack === 'string' && err.stack.trim() ? `\n${err.stack.replace(/\n$/, '')}` : '';
    return { status: 'runtime_error', error: text + stack };
  }

  /** Evaluates `code`; returns the value handle, or a verdict when it failed. */
  function evaluate(
    session: Session,
    code: string,
  ): { value: QuickJSHandle | null; failure: { status: RunStatus; error: string } | null } {
    const { ctx } = session;
    try {
      const compiled = ctx.evalCode(code, SOURCE_NAME, { type: 'global', compileOnly: true });
      if (compiled.error) {
        const dumped = ctx.dump(compiled.error) as {
          name?: string;
          message?: string;
          stack?: string;
        };
        compiled.error.dispose();
        if (dumped && dumped.name === 'SyntaxError') {
          const where = /main\.js:(\d+)(?::(\d+))?/.exec(dumped.stack ?? '');
          const at = where ? ` (line ${where[1]}${where[2] ? `, column ${where[2]}` : ''})` : '';
          return {
            value: null,
            failure: { status: 'compile_error', error: `SyntaxError: ${dumped.message}${at}` },
          };
        }
        return { value: null, failure: classifyError(session, dumped, false) };
      }
      compiled.value.dispose();
      const result = ctx.evalCode(code, SOURCE_NAME, { type: 'global' });
      if (result.error) {
        const dumped = ctx.dump(result.error);
        result.error.dispose();
        return { value: null, failure: classifyError(session, dumped, false) };
      }
      const jobs = session.runtime.executePendingJobs(MAX_PENDING_JOBS);
      if (jobs.error) {
        const dumped = ctx.dump(jobs.error);
        jobs.error.dispose();
        result.value.dispose();
        return { value: null, failure: classifyError(session, dumped, false) };
      }
      return { value: result.value, failure: null };
    } catch (err) {
      session.broken = true;
      return { value: null, failure: classifyError(session, err, true) };
    }
  }

  return {
    async run(job: RunJob): Promise<RunOutcome> {
      const session = await openSession(job, job.stdin);
      guard.arm(job.timeoutMs);
      const started = performance.now();
      const { value, failure } = evaluate(session, job.code);
      const executionTime = performance.now() - started;
      guard.disarm();
      value?.dispose();
      const status = failure ? failure.status : (guard.reason ?? 'ok');
      const outcome: RunOutcome = {
        status,
        stdout: session.sinks.stdout.text(),
        stderr: session.sinks.stderr.text(),
        error: failure ? failure.error : status === 'output_limit' ? 'Output limit exceeded' : null,
        executionTime: roundMs(executionTime),
        memoryUsed: 0,
        truncated: session.sinks.stdout.truncated || session.sinks.stderr.truncated,
      };
      outcome.memoryUsed = toMiB(memoryUsedBytes(session));
      // Nothing is disposed: the whole instance, memory included, is dropped and
      // garbage-collected, whatever state the guest left it in.
      return outcome;
    },

    async judge(job: JudgeJob, progress: Progress): Promise<JudgeOutcome> {
      const session = await openSession(job, '');
      const { ctx } = session;
      const toJson = ctx.unwrapResult(
        ctx.evalCode(TO_JSON_PRELUDE, 'prelude.js', { type: 'global' }),
      );
      const parse = ctx.unwrapResult(
        ctx.evalCode(JSON_PARSE_PRELUDE, 'prelude.js', { type: 'global' }),
      );
      let truncated = false;
      const tests: TestOutcome[] = [];
      guard.arm(job.timeoutMs);
      const loaded = evaluate(session, job.code);
      loaded.value?.dispose();
      let failure = loaded.failure;
      let fn: QuickJSHandle | null = null;
      if (!failure) {
        const lookup = evaluate(session, functionLookup(job.functionName));
        failure = lookup.failure;
        if (!failure && lookup.value && ctx.typeof(lookup.value) === 'function') fn = lookup.value;
        else if (!failure) {
          lookup.value?.dispose();
          failure = {
            status: 'compile_error',
            error: `function '${job.functionName}' is not defined`,
          };
        }
      }
      guard.disarm();
      truncated ||= session.sinks.stdout.truncated || session.sinks.stderr.truncated;
      const loadStatus: RunStatus = failure ? failure.status : 'ok';
      let stopped = failure !== null;

      if (!stopped) await progress(0);
      for (const input of job.inputs) {
        if (stopped || !fn) {
          tests.push(skippedTest());
          continue;
        }
        session.sinks = {
          stdout: new CappedOutput(job.outputLimitBytes, () => guard.stop('output_limit')),
          stderr: new CappedOutput(job.outputLimitBytes, () => guard.stop('output_limit')),
        };
        guard.arm(job.timeoutMs);
        const started = performance.now();
        const test = callOnce(session, fn, parse, toJson, input);
        const executionTime = performance.now() - started;
        guard.disarm();
        truncated ||= session.sinks.stdout.truncated || session.sinks.stderr.truncated;
        tests.push({
          ...test,
          stdout: session.sinks.stdout.text(),
          executionTime: roundMs(executionTime),
        });
        if (test.status !== 'ok' && test.status !== 'runtime_error') stopped = true;
        if (session.broken) stopped = true;
        await progress(tests.length, tests[tests.length - 1]!);
      }

      const memoryUsed = toMiB(memoryUsedBytes(session));
      return {
        loadStatus,
        loadError: failure ? failure.error : null,
        tests,
        memoryUsed,
        truncated,
      };
    },

    reusable(): boolean {
      return true; // every job gets a fresh instance anyway
    },

    async reset(): Promise<boolean> {
      guard.disarm();
      spare = prepare(options.defaultMemoryLimitBytes);
      spare.catch(() => {});
      return true;
    },
  };

  function callOnce(
    session: Session,
    fn: QuickJSHandle,
    parse: QuickJSHandle,
    toJson: QuickJSHandle,
    input: string,
  ): Omit<TestOutcome, 'stdout' | 'executionTime'> {
    const { ctx } = session;
    try {
      return ctx.newString(input).consume((text) => {
        const argsHandle = ctx.unwrapResult(ctx.callFunction(parse, ctx.undefined, text));
        const lengthHandle = ctx.getProp(argsHandle, 'length');
        const count = ctx.getNumber(lengthHandle);
        lengthHandle.dispose();
        const args: QuickJSHandle[] = [];
        for (let i = 0; i < count; i++) args.push(ctx.getProp(argsHandle, i));
        argsHandle.dispose();
        const called = ctx.callFunction(fn, ctx.undefined, ...args);
        for (const a of args) a.dispose();
        if (called.error) {
          const dumped = ctx.dump(called.error);
          called.error.dispose();
          const { status, error } = classifyError(session, dumped, false);
          return { status, actual: null, error };
        }
        let resultHandle = called.value;
        const jobs = session.runtime.executePendingJobs(MAX_PENDING_JOBS);
        if (jobs.error) {
          const dumped = ctx.dump(jobs.error);
          jobs.error.dispose();
          resultHandle.dispose();
          const { status, error } = classifyError(session, dumped, false);
          return { status, actual: null, error };
        }
        const state = ctx.getPromiseState(resultHandle);
        if (state.type === 'rejected') {
          const dumped = ctx.dump(state.error);
          state.error.dispose();
          resultHandle.dispose();
          const { status, error } = classifyError(session, dumped, false);
          return { status, actual: null, error };
        }
        if (state.type === 'pending') {
          resultHandle.dispose();
          return {
            status: 'runtime_error',
            actual: null,
            error: 'the returned promise never settled',
          };
        }
        if (state.value !== resultHandle) {
          resultHandle.dispose();
          resultHandle = state.value;
        }
        const json = ctx.callFunction(toJson, ctx.undefined, resultHandle);
        resultHandle.dispose();
        if (json.error) {
          const dumped = ctx.dump(json.error);
          json.error.dispose();
          const { status, error } = classifyError(session, dumped, false);
          return { status, actual: null, error };
        }
        const actual = json.value.consume((h) => ctx.getString(h));
        if (guard.reason) return { ...classifyError(session, null, false), actual: null };
        return { status: 'ok', actual, error: null };
      });
    } catch (err) {
      session.broken = true;
      const { status, error } = classifyError(session, err, true);
      return { status, actual: null, error };
    }
  }
}

/** The expression that finds the judged function: a global name, or a method of `Solution`. */
function functionLookup(name: string): string {
  if (!FUNCTION_NAME.test(name)) throw new Error(`invalid function name: ${name}`);
  const dot = name.lastIndexOf('.');
  if (dot !== -1) {
    const owner = name.slice(0, dot);
    const method = name.slice(dot + 1);
    return `(() => { const o = typeof ${owner} === 'function' ? new ${owner}() : ${owner}; return o.${method}.bind(o); })()`;
  }
  return `typeof ${name} === 'function' ? ${name} : (typeof Solution === 'function' && typeof Solution.prototype.${name} === 'function' ? ((s) => s.${name}.bind(s))(new Solution()) : undefined)`;
}
