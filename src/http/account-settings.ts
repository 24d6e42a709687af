// The platform's account settings, declared like a module's (src/apps/settings.ts) so
// `ringside serve` builds the flag, its RINGSIDE_* variable and the --help line.
import { declareSettings, intSetting, type SettingsOf } from '../apps/settings.js';

/** Sign-ups per address per hour: a household or classroom behind one NAT still fits. */
export const DEFAULT_REGISTRATIONS_PER_HOUR = 10;

export const accountSettings = declareSettings('accounts', {
  registrationsPerHour: intSetting({
    flag: 'registrations-per-hour',
    help: `account sign-ups per client address per hour, then 429 with Retry-After (default ${DEFAULT_REGISTRATIONS_PER_HOUR})`,
    min: 1,
    max: 1_000_000,
    fallback: DEFAULT_REGISTRATIONS_PER_HOUR,
  }),
});

export type AccountSettings = SettingsOf<typeof accountSettings>;
