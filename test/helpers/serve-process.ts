// Starts `ringside serve` as a real child process on 127.0.0.1 and a free port, with
// its own temporary data dir (SQLite file, JWT secret), and stops it by pid.
// restart() stops the process and starts it again with the same arguments, data dir
// and environment (so the same database), on a new port; the handle's fields update.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_PATH } from './echo-process.js';

export interface ServeProcess {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT */
  wsUrl: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the current process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, wait for exit (SIGKILL after 10 s); removes the data dir if this helper made it. */
  stop(): Promise<number | null>;
  /** Stops the process (keeping its data) and starts it again; resolves with this handle. */
  restart(): Promise<ServeProcess>;
}

interface Running {
  port: number;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `args` go after `serve --port 0 --host 127.0.0.1 --data-dir <temp>`; pass
 * `--data-dir` yourself to use a given one. `env` is added to this process's
 * environment (RINGSIDE_* variables already set in it are removed first, so a test's
 * server only sees what the test gives it).
 */
export async function startServe(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const givenDataDir = valueOf(args, '--data-dir');
  const dataDir = givenDataDir ?? mkdtempSync(path.join(os.tmpdir(), 'ringside-serve-'));
  const fullArgs = [
    'serve',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    ...(givenDataDir ? [] : ['--data-dir', dataDir]),
    ...args,
  ];
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('RINGSIDE_')) childEnv[key] = value;
  // Sandbox workers load Pyodide (seconds of CPU): only when a test runs code.
  childEnv.RINGSIDE_SANDBOX_LAZY = '1';
  Object.assign(childEnv, env);

  let running: Running;
  try {
    running = await spawnServe(fullArgs, childEnv);
  } catch (error) {
    if (!givenDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const handle: ServeProcess = {
    port: running.port,
    url: '',
    wsUrl: '',
    dataDir,
    proc: running.proc,
    output: () => running.output(),
    async stop() {
      const code = await stopProcess(running);
      if (!givenDataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    async restart() {
      await stopProcess(running);
      running = await spawnServe(fullArgs, childEnv);
      setAddress(running);
      return handle;
    },
  };
  const setAddress = (r: Running): void => {
    handle.port = r.port;
    handle.url = `http://127.0.0.1:${r.port}`;
    handle.wsUrl = `ws://127.0.0.1:${r.port}`;
    handle.proc = r.proc;
  };
  setAddress(running);
  return handle;
}

function valueOf(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i]!.startsWith(`${flag}=`)) return args[i]!.slice(flag.length + 1);
  }
  return undefined;
}

async function spawnServe(args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const proc = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`ringside serve printed no port within 15 s:\n${out}`));
    }, 15_000);
    proc.stdout!.on('data', (d: string) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ringside serve exited with ${code} before listening:\n${out}`));
    });
  });
  return { port, proc, output: () => out, exited };
}

async function stopProcess(running: Running): Promise<number | null> {
  const { proc } = running;
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  const code = await running.exited;
  clearTimeout(timer);
  return code;
}
