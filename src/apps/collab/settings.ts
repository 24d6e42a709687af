// The collab module's `ringside serve` settings: how much anonymous users may store.
// Sessions need no account (spec 001), so these limits are what bounds the database.
import { declareSettings, intSetting, type SettingsOf } from '../settings.js';

// The protocol's own bound on a code message (MAX_CODE_LENGTH in protocol.ts, which is
// not imported here so that listing settings loads no zod); the setting may only lower it.
const PROTOCOL_MAX_CODE = 500_000;

export const COLLAB_DEFAULTS = {
  sessionsPerHour: 30,
  maxCodeChars: PROTOCOL_MAX_CODE,
  maxStoredMb: 1024,
  sessionTtlHours: 7 * 24,
} as const;

export const collabSettings = declareSettings('collab', {
  sessionsPerHour: intSetting({
    flag: 'collab-sessions-per-hour',
    help: `collab sessions one client address may create per hour, then 429 (default ${COLLAB_DEFAULTS.sessionsPerHour})`,
    min: 1,
    max: 1_000_000,
    fallback: COLLAB_DEFAULTS.sessionsPerHour,
  }),
  maxCodeChars: intSetting({
    flag: 'collab-max-code-chars',
    help: `longest code of one collab session, at creation and after any edit (default ${COLLAB_DEFAULTS.maxCodeChars})`,
    min: 1,
    max: PROTOCOL_MAX_CODE,
    fallback: COLLAB_DEFAULTS.maxCodeChars,
  }),
  maxStoredMb: intSetting({
    flag: 'collab-max-stored-mb',
    help: `code of all collab sessions together (MiB) past which no session is created, 503 (default ${COLLAB_DEFAULTS.maxStoredMb})`,
    min: 1,
    max: 1_000_000,
    fallback: COLLAB_DEFAULTS.maxStoredMb,
  }),
  sessionTtlHours: intSetting({
    flag: 'collab-session-ttl-hours',
    help: `a collab session not edited for this long, with nobody connected, is deleted (default ${COLLAB_DEFAULTS.sessionTtlHours})`,
    min: 1,
    max: 24 * 365 * 10,
    fallback: COLLAB_DEFAULTS.sessionTtlHours,
  }),
});

export type CollabSettings = SettingsOf<typeof collabSettings>;
