// `ringside serve --help`. Kept apart from serve.ts so the CLI can list it without
// loading the platform's dependencies (echo and connect start faster).
import { declaredSettings } from '../apps/declared-settings.js';
import { ENGINE_FLAGS_HELP } from './engine-flags.js';

const COLUMN = 31;

/** One flag's help lines: the flag and its placeholder, then the text wrapped under it. */
function helpLines(flag: string, placeholder: string | undefined, help: string): string {
  const head = `  --${flag}${placeholder ? ` ${placeholder}` : ''}`;
  const lines: string[] = [];
  let line = head.length < COLUMN ? head.padEnd(COLUMN) : `${head}\n${' '.repeat(COLUMN)}`;
  let width = line.length - line.lastIndexOf('\n') - 1;
  for (const word of help.split(' ')) {
    if (width + word.length + 1 > 92 && width > COLUMN) {
      lines.push(line.trimEnd());
      line = ' '.repeat(COLUMN);
      width = COLUMN;
    }
    line += (width > COLUMN ? ' ' : '') + word;
    width += (width > COLUMN ? 1 : 0) + word.length;
  }
  lines.push(line);
  return lines.join('\n');
}

const MODULE_FLAGS_HELP = declaredSettings
  .flatMap((declaration) =>
    Object.values(declaration.settings).map((s) => helpLines(s.flag, s.placeholder, s.help)),
  )
  .join('\n');

export const SERVE_HELP = `Usage: ringside serve [flags]

Serves the REST API (/api), /healthz, /readyz, /metrics, the browser app (/) and every
WebSocket route on one port. Every flag can also be set as an environment variable:
--data-dir → RINGSIDE_DATA_DIR, --deflate → RINGSIDE_DEFLATE=1, … Flags win.

  --port N                     port to listen on; 0 picks a free one (default 8080)
  --host H                     address to bind (default: all)
  --data-dir DIR               SQLite file and generated JWT secret (default ./data)
  --database URL               postgres://user:pass@host/db for PostgreSQL, or a SQLite file
                               (default <data-dir>/ringside.sqlite)
  --jwt-secret S               HS256 secret, at least 16 characters; nodes sharing a database
                               need the same one (default: generated into <data-dir>/jwt-secret)
  --log-level L                pino level (default info)
  --python-workers N           warm Python sandbox workers (default 2)
  --javascript-workers N       warm JavaScript sandbox workers (default 2)
  --sandbox-lazy               start the sandbox workers on the first run, not at start
${MODULE_FLAGS_HELP}${ENGINE_FLAGS_HELP}
  --help                       this text

Serve defaults: --max-message-bytes 1048576, --rate-limit 20 (burst 40, over it: close 1008;
protocol routes set their own), --max-connections-per-ip 1000, --heartbeat-ms 30000.
`;
