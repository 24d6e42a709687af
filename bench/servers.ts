// The servers compared side by side. Each serves /echo and /broadcast the same way
// and prints a line with "port":N when ready.
import { accessSync, constants, existsSync } from 'node:fs';
import { BUN_SERVER, RINGSIDE_CLI, WS_SERVER } from './lib/paths.js';
import { onPath } from './lib/platform.js';

export type ServerName = 'ringside' | 'ws' | 'bun';

export interface ServerSpec {
  name: ServerName;
  command: string;
  args: string[];
  /** why it cannot run here, or null */
  unavailable: string | null;
}

/**
 * `nodeFlags` (e.g. a V8 heap setting) go to both Node servers alike, so a tuning is
 * always measured side by side, never for one server only.
 */
export function serverSpecs(nodeFlags: string[] = [], bunPath: string | null = null): ServerSpec[] {
  const bun = findBun(bunPath);
  return [
    {
      name: 'ringside',
      command: process.execPath,
      args: [
        ...nodeFlags,
        RINGSIDE_CLI,
        'echo',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--rate-limit',
        '0',
        '--max-connections-per-ip',
        '0',
        '--heartbeat-ms',
        '0',
      ],
      unavailable: existsSync(RINGSIDE_CLI) ? null : `${RINGSIDE_CLI} not found (not built yet?)`,
    },
    {
      name: 'ws',
      command: process.execPath,
      args: [...nodeFlags, WS_SERVER, '--port', '0', '--host', '127.0.0.1'],
      unavailable: existsSync(WS_SERVER) ? null : `${WS_SERVER} not found (run npm run build)`,
    },
    {
      name: 'bun',
      command: bun ?? 'bun',
      args: [BUN_SERVER, '--port', '0', '--host', '127.0.0.1'],
      unavailable: bun
        ? null
        : bunPath
          ? `${bunPath} is not an executable file`
          : 'bun not found (--bun PATH or RINGSIDE_BENCH_BUN=PATH, or bun on PATH)',
    },
  ];
}

/**
 * The Bun binary: the --bun flag, else RINGSIDE_BENCH_BUN, else `bun` on PATH
 * (`npm install bun` in a scratch folder gives node_modules/.bin/bun).
 */
function findBun(explicit: string | null): string | null {
  const wanted = explicit ?? process.env.RINGSIDE_BENCH_BUN ?? null;
  if (wanted === null || wanted === '') return onPath('bun');
  try {
    accessSync(wanted, constants.X_OK);
    return wanted;
  } catch {
    return null;
  }
}
