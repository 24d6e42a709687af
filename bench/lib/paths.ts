// Where things are, from the compiled location dist/bench/lib/*.js.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const LOADGEN_DIR = path.join(REPO_ROOT, 'bench', 'loadgen');
export const LOADGEN_BIN = path.join(LOADGEN_DIR, 'loadgen');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
export const RINGSIDE_CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli.js');
export const WS_SERVER = path.join(REPO_ROOT, 'dist', 'bench', 'ws-echo-server.js');
export const BUN_SERVER = path.join(REPO_ROOT, 'dist', 'bench', 'bun-echo-server.js');
