// Every module's settings declaration, for the CLI (flags, variables, --help). Only the
// dependency-free settings.ts files are imported, so listing them loads no module code.
import { arenaSettings } from './arena/settings.js';
import { collabSettings } from './collab/settings.js';
import type { AnyModuleSettings } from './settings.js';
// The platform's account settings ride on the same mechanism.
import { accountSettings } from '../http/account-settings.js';

export const declaredSettings: AnyModuleSettings[] = [
  accountSettings,
  arenaSettings,
  collabSettings,
];
