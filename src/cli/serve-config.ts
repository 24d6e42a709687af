// `ringside serve` flags, each also readable from a RINGSIDE_* environment variable
// (--data-dir → RINGSIDE_DATA_DIR, --deflate → RINGSIDE_DEFLATE=1). Flags win over env.
import path from 'node:path';
import { SERVE_DEFAULTS, type AppConfig } from '../config.js';
import { ENGINE_FLAGS, engineOptions } from './engine-flags.js';
import { intFlag, listFlag, parseFlags, UsageError } from './flags.js';

export const SERVE_FLAGS = {
  ...ENGINE_FLAGS,
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  'jwt-secret': { type: 'string' },
  'log-level': { type: 'string' },
  'python-workers': { type: 'string' },
  'javascript-workers': { type: 'string' },
  'sandbox-lazy': { type: 'boolean' },
  problems: { type: 'string' },
  'admin-users': { type: 'string' },
  'battle-seconds': { type: 'string' },
  'forfeit-grace-ms': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type FlagName = Exclude<keyof typeof SERVE_FLAGS, 'help'>;
type FlagValues = { [K in FlagName]?: string | boolean };

export function envName(flag: string): string {
  return `RINGSIDE_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** Flag values with RINGSIDE_* variables filling what the command line left out. */
function valuesFrom(argv: string[], env: NodeJS.ProcessEnv): { values: FlagValues; help: boolean } {
  const { values: flags } = parseFlags(argv, SERVE_FLAGS);
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(SERVE_FLAGS) as Array<
    [FlagName | 'help', { type: string }]
  >) {
    if (name === 'help') continue;
    const raw = env[envName(name)];
    if (raw === undefined) continue;
    if (spec.type === 'boolean') {
      if (/^(1|true|yes|on)$/i.test(raw)) values[name] = true;
      else if (/^(0|false|no|off|)$/i.test(raw)) values[name] = false;
      else throw new UsageError(`${envName(name)} must be 1/true or 0/false`);
    } else {
      values[name] = raw;
    }
  }
  for (const [name, value] of Object.entries(flags)) {
    if (name !== 'help' && value !== undefined)
      values[name as FlagName] = value as string | boolean;
  }
  return { values, help: flags.help === true };
}

export interface ServeSettings {
  help: boolean;
  logLevel: string;
  config: AppConfig;
}

export function serveSettings(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeSettings {
  const { values, help } = valuesFrom(argv, env);
  const jwtSecret = str(values['jwt-secret']);
  if (jwtSecret !== undefined && jwtSecret.length < 16)
    throw new UsageError('--jwt-secret must be at least 16 characters');
  const config: AppConfig = {
    port: intFlag(values.port, 'port', SERVE_DEFAULTS.port, 0, 65535),
    host: str(values.host),
    dataDir: path.resolve(str(values['data-dir']) ?? SERVE_DEFAULTS.dataDir),
    database: str(values.database),
    jwtSecret,
    engine: engineOptions(values, {
      maxMessageBytes: SERVE_DEFAULTS.maxMessageBytes,
      rateLimit: SERVE_DEFAULTS.rateLimit,
    }),
    webDir: SERVE_DEFAULTS.webDir,
    tokenTtlSeconds: SERVE_DEFAULTS.tokenTtlSeconds,
    loginAttemptsPerMinute: SERVE_DEFAULTS.loginAttemptsPerMinute,
    sandbox: {
      pythonWorkers: intFlag(
        values['python-workers'],
        'python-workers',
        SERVE_DEFAULTS.pythonWorkers,
        1,
        16,
      ),
      javascriptWorkers: intFlag(
        values['javascript-workers'],
        'javascript-workers',
        SERVE_DEFAULTS.javascriptWorkers,
        1,
        16,
      ),
      warmAtStart: values['sandbox-lazy'] !== true,
    },
    problemsDir: optionalPath(values.problems),
    adminUsers: listFlag(values['admin-users']),
    battleSeconds: optionalInt(values['battle-seconds'], 'battle-seconds', 1, 24 * 3600),
    forfeitGraceMs: optionalInt(values['forfeit-grace-ms'], 'forfeit-grace-ms', 0, 3_600_000),
  };
  return { help, logLevel: str(values['log-level']) ?? 'info', config };
}

function optionalPath(value: string | boolean | undefined): string | undefined {
  const given = str(value);
  return given === undefined ? undefined : path.resolve(given);
}

function optionalInt(
  value: string | boolean | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  return str(value) === undefined ? undefined : intFlag(value, name, 0, min, max);
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
