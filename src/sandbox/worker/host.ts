// The few host capabilities the worker itself needs, captured before
// lockdown removes `process` from the JavaScript realm (so that nothing the
// guest might reach can find it on globalThis).
import type { WorkerMessage } from './messages.js';

const proc = process;
const send = proc.send?.bind(proc);
const cpuUsage = proc.cpuUsage.bind(proc);
const exit = proc.exit.bind(proc);
const stderr = proc.stderr;

export const host = {
  argv: [...proc.argv],
  send(message: WorkerMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!send) return reject(new Error('sandbox worker started without an IPC channel'));
      send(message, undefined, undefined, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  },
  onMessage(handler: (message: unknown) => void): void {
    proc.on('message', handler);
  },
  onDisconnect(handler: () => void): void {
    proc.on('disconnect', handler);
  },
  cpuMicros(): number {
    const usage = cpuUsage();
    return usage.user + usage.system;
  },
  exit(code: number): never {
    return exit(code);
  },
  log(line: string): void {
    stderr.write(line + '\n');
  },
};
