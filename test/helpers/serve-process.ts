// Starts `ringside serve` as a real child process on 127.0.0.1 and a free port, with
// its own temporary data dir (SQLite file, JWT secret), and stops it by pid.
// restart() stops the process and starts it again with the same arguments, data dir
// and environment (so the same database), on a new port; the handle's fields update.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli, stopCli, type CliProcess } from './cli-process.js';

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

type Running = CliProcess;

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
  // Every test registers and makes sessions from 127.0.0.1; the limits have their own tests.
  childEnv.RINGSIDE_REGISTRATIONS_PER_HOUR = '100000';
  childEnv.RINGSIDE_COLLAB_SESSIONS_PER_HOUR = '100000';
  Object.assign(childEnv, env);

  let running: Running;
  try {
    running = await spawnCli(fullArgs, childEnv);
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
      const code = await stopCli(running);
      if (!givenDataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    async restart() {
      await stopCli(running);
      running = await spawnCli(fullArgs, childEnv);
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
