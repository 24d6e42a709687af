// `ringside serve --help`. Kept apart from serve.ts so the CLI can list it without
// loading the platform's dependencies (echo and connect start faster).
import { ENGINE_FLAGS_HELP } from './engine-flags.js';

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
  --problems DIR               arena problem bank, one JSON file per problem; replaces the
                               built-in bank (default: the repo's problems/)
  --admin-users a,b            usernames allowed to send arena system notifications (default: none)
  --battle-seconds N           every arena battle's duration (default: by difficulty, 600/1200/1800)
  --forfeit-grace-ms N         how long a disconnected arena player may be away before
                               forfeiting (default 30000)${ENGINE_FLAGS_HELP}
  --help                       this text

Serve defaults: --max-message-bytes 1048576, --rate-limit 20 (burst 40, over it: close 1008;
protocol routes set their own), --max-connections-per-ip 1000, --heartbeat-ms 30000.
`;
