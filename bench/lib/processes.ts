// Child processes of the benchmark: the server under test and the load generator,
// each optionally pinned to one core (taskset) and given a raised open-file limit
// (prlimit). Every child is remembered by pid and killed if this process exits first.
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Map<number, ChildProcess>();
let exitHookInstalled = false;

/** SIGKILL every child this module started that is still running, by pid. */
export function killAllSpawned(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

export interface Placement {
  /** taskset -c <core>; omitted when null (no taskset, or one core). */
  core: number | null;
  /** prlimit --nofile=N:N; omitted when null. */
  nofile: number | null;
}

function wrap(command: string, args: string[], placement: Placement): [string, string[]] {
  const argv = [command, ...args];
  // both tools exec the command, so the child's pid is the pid of the real process
  if (placement.nofile !== null)
    argv.unshift('prlimit', `--nofile=${placement.nofile}:${placement.nofile}`);
  if (placement.core !== null) argv.unshift('taskset', '-c', String(placement.core));
  return [argv[0]!, argv.slice(1)];
}

function track(proc: ChildProcess): void {
  if (!exitHookInstalled) {
    process.once('exit', killAllSpawned);
    exitHookInstalled = true;
  }
  const pid = proc.pid;
  if (pid === undefined) return;
  live.set(pid, proc);
  proc.once('exit', () => live.delete(pid));
}

export interface ServerProcess {
  pid: number;
  port: number;
  /** stdout and stderr so far */
  output(): string;
  /** how it ended, or null while running */
  exitStatus(): string | null;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a server that prints a line with "port":N when it is ready. */
export async function startServer(
  command: string,
  args: string[],
  placement: Placement,
  readyTimeoutMs = 15_000,
): Promise<ServerProcess> {
  const [cmd, argv] = wrap(command, args, placement);
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(proc);
  let out = '';
  let status: string | null = null;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      status = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve();
    }),
  );
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (out += d));
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (status === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (status === null) proc.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no "port" line within ${readyTimeoutMs} ms; output:\n${tail(out)}`)),
        readyTimeoutMs,
      );
      proc.stdout!.on('data', (d: string) => {
        out += d;
        const m = /"port":(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${status} before it was ready; output:\n${tail(out)}`));
      });
    });
    return { pid: proc.pid!, port, output: () => out, exitStatus: () => status, stop };
  } catch (err) {
    await stop(1_000);
    throw err;
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to completion, killing it (by pid) after timeoutMs. */
export function runBounded(
  command: string,
  args: string[],
  placement: Placement,
  timeoutMs: number,
): Promise<RunResult> {
  const [cmd, argv] = wrap(command, args, placement);
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(proc);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => (stdout += d));
  proc.stderr!.on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
