// Entry point of a sandbox worker process. Started by the pool under Node's
// permission model (read-only access to the runtime's own files, no child
// processes, no worker threads, no writes, no code generation from strings),
// with an empty environment. One job at a time: run it, answer, then wipe
// the runtime's state before the next job is read.
import { host } from './host.js';
import { shimProcessBinding } from './lockdown.js';
import type { Engine } from './engine.js';
import type { JudgeJob, ParentMessage, RunJob } from './messages.js';

interface WorkerArgs {
  language: string;
  runtimePath: string;
  maxMemoryLimitBytes: number;
  defaultMemoryLimitBytes: number;
}

function parseArgs(argv: string[]): WorkerArgs {
  const get = (flag: string): string => {
    const i = argv.indexOf(flag);
    const value = i === -1 ? undefined : argv[i + 1];
    if (value === undefined) throw new Error(`sandbox worker: missing ${flag}`);
    return value;
  };
  return {
    language: get('--language'),
    runtimePath: get('--runtime-path'),
    maxMemoryLimitBytes: Number(get('--max-memory-bytes')),
    defaultMemoryLimitBytes: Number(get('--default-memory-bytes')),
  };
}

async function createEngine(args: WorkerArgs): Promise<Engine> {
  if (args.language === 'python') {
    const { createPythonEngine } = await import('./python-runtime.js');
    return createPythonEngine({
      pyodideDir: args.runtimePath,
      maxMemoryLimitBytes: args.maxMemoryLimitBytes,
    });
  }
  if (args.language === 'javascript') {
    const { createJavaScriptEngine } = await import('./javascript-runtime.js');
    return createJavaScriptEngine({
      quickjsEntry: args.runtimePath,
      defaultMemoryLimitBytes: args.defaultMemoryLimitBytes,
    });
  }
  throw new Error(`sandbox worker: unknown language ${args.language}`);
}

async function fail(message: string): Promise<never> {
  try {
    await host.send({ type: 'fatal', message });
  } catch {
    // the parent is gone or the channel is closed
  }
  return host.exit(1);
}

async function main(): Promise<void> {
  const args = parseArgs(host.argv);
  shimProcessBinding();
  const started = performance.now();
  const engine = await createEngine(args);
  host.onDisconnect(() => host.exit(0));

  let chain = Promise.resolve();
  host.onMessage((message) => {
    chain = chain
      .then(() => handle(engine, message as ParentMessage))
      .catch((err) => fail(`sandbox worker job failed: ${String((err as Error)?.stack ?? err)}`));
  });
  await host.send({ type: 'ready', bootMs: Math.round(performance.now() - started) });
}

async function handle(engine: Engine, message: ParentMessage): Promise<void> {
  if (message?.type === 'run') {
    const job = message as RunJob;
    const outcome = await engine.run(job);
    await host.send({ type: 'result', id: job.id, outcome, retire: !engine.reusable() });
  } else if (message?.type === 'judge') {
    const job = message as JudgeJob;
    const outcome = await engine.judge(job, async (done, test) => {
      // Awaited, so the message has left before the next test starts.
      await host.send({ type: 'progress', id: job.id, done, test });
    });
    await host.send({ type: 'judged', id: job.id, outcome, retire: !engine.reusable() });
  } else {
    throw new Error(`unknown message type ${String((message as { type?: unknown })?.type)}`);
  }
  if (!engine.reusable() || !(await engine.reset())) {
    // The runtime's state cannot be restored: exit and let the pool replace us.
    host.exit(0);
  }
}

main().catch((err) =>
  fail(`sandbox worker failed to start: ${String((err as Error)?.stack ?? err)}`),
);
