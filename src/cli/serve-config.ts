// `ringside serve` flags, each also readable from a RINGSIDE_* environment variable
// (--data-dir → RINGSIDE_DATA_DIR, --deflate → RINGSIDE_DEFLATE=1). Flags win over env.
import path from 'node:path';
import { declaredSettings } from '../apps/declared-settings.js';
import { SettingError, type SettingValues } from '../apps/settings.js';
import { SERVE_DEFAULTS, type AppConfig } from '../config.js';
import { ENGINE_FLAGS, engineOptions } from './engine-flags.js';
import { intFlag, parseFlags, UsageError, type FlagSpec } from './flags.js';

/** The platform's own flags; each module's come from its settings declaration. */
const PLATFORM_FLAGS = {
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
  help: { type: 'boolean' },
} as const;

type PlatformFlag = Exclude<keyof typeof PLATFORM_FLAGS, 'help'>;
type FlagValues = { [K in PlatformFlag]?: string | boolean } & Record<
  string,
  string | boolean | undefined
>;

const MODULE_FLAGS: FlagSpec = Object.fromEntries(
  declaredSettings.flatMap((declaration) =>
    Object.values(declaration.settings).map((setting) => [
      setting.flag,
      { type: setting.kind === 'switch' ? 'boolean' : 'string' },
    ]),
  ),
);

export const SERVE_FLAGS: FlagSpec = { ...PLATFORM_FLAGS, ...MODULE_FLAGS };

export function envName(flag: string): string {
  return `RINGSIDE_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** Flag values with RINGSIDE_* variables filling what the command line left out. */
function valuesFrom(argv: string[], env: NodeJS.ProcessEnv): { values: FlagValues; help: boolean } {
  const { values: flags } = parseFlags(argv, SERVE_FLAGS);
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(SERVE_FLAGS)) {
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
    if (name !== 'help' && value !== undefined) values[name] = value as string | boolean;
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
    modules: moduleValues(values),
  };
  return { help, logLevel: str(values['log-level']) ?? 'info', config };
}

/** Each module's settings, parsed by its own declaration. */
function moduleValues(values: FlagValues): SettingValues {
  const parsed: SettingValues = {};
  for (const declaration of declaredSettings) {
    const own: Record<string, unknown> = {};
    for (const [key, setting] of Object.entries(declaration.settings)) {
      try {
        own[key] = setting.parse(values[setting.flag]);
      } catch (error) {
        if (error instanceof SettingError) throw new UsageError(error.message);
        throw error;
      }
    }
    parsed[declaration.module] = own;
  }
  return parsed;
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
