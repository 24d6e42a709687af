// Runs `ringside <command>` as a real child process and waits for the start line that
// carries its bound port; stops it by pid (SIGTERM, then SIGKILL after 10 s).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const CLI_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/cli.js',
);

export interface CliProcess {
  port: number;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

export async function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  startTimeoutMs = 15_000,
): Promise<CliProcess> {
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
      reject(new Error(`ringside ${args[0]} printed no port within ${startTimeoutMs} ms:\n${out}`));
    }, startTimeoutMs);
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
      reject(new Error(`ringside ${args[0]} exited with ${code} before listening:\n${out}`));
    });
  });
  return { port, proc, output: () => out, exited };
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
export async function stopCli(
  running: Pick<CliProcess, 'proc' | 'exited'>,
): Promise<number | null> {
  const { proc } = running;
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  const code = await running.exited;
  clearTimeout(timer);
  return code;
}
