// Compiles the C load generator (bench/loadgen/*.c) into bench/loadgen/loadgen
// when the binary is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { LOADGEN_BIN, LOADGEN_DIR } from './paths.js';
import { onPath } from './platform.js';

export interface BuildOptions {
  /** compile even when the binary looks up to date */
  force?: boolean;
  /** called with gcc's warnings, if it printed any */
  onWarnings?: (text: string) => void;
}

export function buildLoadgen(options: BuildOptions = {}): string {
  const files = readdirSync(LOADGEN_DIR).filter((f) => f.endsWith('.c') || f.endsWith('.h'));
  const sources = files.filter((f) => f.endsWith('.c')).map((f) => path.join(LOADGEN_DIR, f));
  if (sources.length === 0) throw new Error(`no load generator sources in ${LOADGEN_DIR}`);
  const newest = Math.max(...files.map((f) => statSync(path.join(LOADGEN_DIR, f)).mtimeMs));
  if (!options.force && existsSync(LOADGEN_BIN) && statSync(LOADGEN_BIN).mtimeMs >= newest) {
    return LOADGEN_BIN;
  }
  if (!onPath('gcc')) {
    throw new Error(
      'gcc not found on PATH: the benchmark load generator is C (bench/loadgen/*.c) and is ' +
        'compiled at bench time. Install gcc (Debian: apt-get install gcc) and run again.',
    );
  }
  // Compile to a private name and rename, so two concurrent builds never see half a binary.
  const tmp = `${LOADGEN_BIN}.${process.pid}.tmp`;
  try {
    const result = spawnSync(
      'gcc',
      ['-O2', '-Wall', '-Wextra', '-std=gnu11', '-o', tmp, ...sources],
      {
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(result.stderr || String(result.error));
    if (result.stderr.trim()) options.onWarnings?.(result.stderr);
    renameSync(tmp, LOADGEN_BIN);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`gcc could not compile the load generator:\n${(err as Error).message}`);
  }
  return LOADGEN_BIN;
}
