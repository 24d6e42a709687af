// Shared set-up for the sandbox tests: a warm pool sized for the test, and a
// host directory that hostile programs try to write a marker file into.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SandboxPool } from '../../src/sandbox/index.js';
import type { SandboxPoolOptions } from '../../src/sandbox/index.js';

export async function warmPool(options: SandboxPoolOptions): Promise<SandboxPool> {
  const pool = new SandboxPool(options);
  await pool.ready();
  return pool;
}

export interface MarkerDir {
  dir: string;
  /** an absolute host path a hostile program tries to create */
  marker(name: string): string;
  /** every file that appeared in the directory */
  created(): string[];
  remove(): void;
}

export function markerDir(): MarkerDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-sandbox-'));
  return {
    dir,
    marker: (name) => path.join(dir, `marker-${name}`),
    created: () => fs.readdirSync(dir),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** True when a process with this pid exists. */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
