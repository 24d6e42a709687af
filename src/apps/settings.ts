// How a module declares its own settings: the flag, its environment variable, the
// default and the help line live in the module's settings.ts, and `ringside serve`
// (flags, RINGSIDE_* variables, --help) is built from those declarations. Adding a
// module setting touches only that module.
import path from 'node:path';

/** A setting's value is unusable; the message is one line for the person who typed it. */
export class SettingError extends Error {}

export interface Setting<T> {
  /** Without dashes: 'battle-seconds' is --battle-seconds and RINGSIDE_BATTLE_SECONDS. */
  flag: string;
  /** A switch takes no value (--x, RINGSIDE_X=1); anything else takes one. */
  kind: 'value' | 'switch';
  /** How the value is shown in --help ('N', 'DIR', 'a,b'). */
  placeholder?: string;
  /** The help text; it should say the default. */
  help: string;
  /** The value from the command line or environment (undefined when neither gave one). */
  parse(given: string | boolean | undefined): T;
}

export interface ModuleSettings<V> {
  module: string;
  settings: { [K in keyof V]: Setting<V[K]> };
}

/** A declaration with its value types erased: what the CLI lists. */
export interface AnyModuleSettings {
  module: string;
  settings: Record<string, Setting<unknown>>;
}

/** The values type of a declaration. */
export type SettingsOf<D> = D extends ModuleSettings<infer V> ? V : never;

/** Parsed values per module, as `ringside serve` hands them to createApp. */
export type SettingValues = Record<string, Record<string, unknown>>;

export function declareSettings<V>(
  module: string,
  settings: { [K in keyof V]: Setting<V[K]> },
): ModuleSettings<V> {
  return { module, settings };
}

/** Every setting of a declaration at its default (what a module gets when nothing was given). */
export function defaults<V>(declaration: ModuleSettings<V>): V {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(declaration.settings) as Array<
    [string, Setting<unknown>]
  >)
    values[key] = setting.parse(undefined);
  return values as V;
}

/** A module's values from what serve parsed, defaults filling what is missing. */
export function valuesOf<V>(declaration: ModuleSettings<V>, given: SettingValues | undefined): V {
  return { ...defaults(declaration), ...(given?.[declaration.module] as Partial<V> | undefined) };
}

// --- setting kinds ------------------------------------------------------------------

interface Common {
  flag: string;
  help: string;
  placeholder?: string;
}

/** A whole number in [min, max]; `fallback` when absent. */
export function intSetting<F extends number | undefined>(
  options: Common & { min: number; max: number; fallback: F },
): Setting<number | F> {
  return {
    kind: 'value',
    placeholder: 'N',
    ...options,
    parse(given) {
      if (given === undefined || given === '') return options.fallback;
      const n = Number(given);
      if (typeof given !== 'string' || !/^\d+$/.test(given) || n < options.min || n > options.max)
        throw new SettingError(
          `--${options.flag} must be a whole number from ${options.min} to ${options.max}`,
        );
      return n;
    },
  };
}

/** A comma-separated list (blank items dropped); undefined when absent. */
export function listSetting(options: Common): Setting<string[] | undefined> {
  return {
    kind: 'value',
    placeholder: 'a,b',
    ...options,
    parse(given) {
      if (typeof given !== 'string') return undefined;
      return given
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    },
  };
}

/** A file system path, resolved against the working directory; undefined when absent. */
export function pathSetting(options: Common): Setting<string | undefined> {
  return {
    kind: 'value',
    placeholder: 'DIR',
    ...options,
    parse(given) {
      return typeof given === 'string' && given !== '' ? path.resolve(given) : undefined;
    },
  };
}
