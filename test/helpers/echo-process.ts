// Starts `ringside echo` as a real child process on 127.0.0.1 and a free port, and
// stops it by pid. Every conformance and interop test talks to one of these.
import type { ChildProcess } from 'node:child_process';
import { spawnCli, stopCli } from './cli-process.js';

export { CLI_PATH } from './cli-process.js';

export interface EchoProcess {
  port: number;
  url: string;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startEcho(args: string[] = [], command = 'echo'): Promise<EchoProcess> {
  const running = await spawnCli([command, '--port', '0', '--host', '127.0.0.1', ...args]);
  return {
    port: running.port,
    url: `ws://127.0.0.1:${running.port}`,
    proc: running.proc,
    output: running.output,
    stop: () => stopCli(running),
  };
}
