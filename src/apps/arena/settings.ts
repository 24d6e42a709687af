// The arena's `ringside serve` settings (flags, RINGSIDE_* variables, help, defaults).
import {
  declareSettings,
  intSetting,
  listSetting,
  pathSetting,
  type SettingsOf,
} from '../settings.js';

export const DEFAULT_FORFEIT_GRACE_MS = 30_000;
export const DEFAULT_MAX_PENDING_INVITATIONS = 5;

export const arenaSettings = declareSettings('arena', {
  problemsDir: pathSetting({
    flag: 'problems',
    help: "arena problem bank, one JSON file per problem; replaces the built-in bank (default: the repo's problems/)",
  }),
  adminUsers: listSetting({
    flag: 'admin-users',
    help: 'usernames allowed to send arena system notifications (default: none)',
  }),
  battleSeconds: intSetting({
    flag: 'battle-seconds',
    help: "every arena battle's duration (default: the problem's, else by difficulty, 600/1200/1800)",
    min: 1,
    max: 24 * 3600,
    fallback: undefined,
  }),
  forfeitGraceMs: intSetting({
    flag: 'forfeit-grace-ms',
    help: `how long a disconnected arena player may be away before forfeiting (default ${DEFAULT_FORFEIT_GRACE_MS})`,
    min: 0,
    max: 3_600_000,
    fallback: DEFAULT_FORFEIT_GRACE_MS,
  }),
  maxPendingInvitations: intSetting({
    flag: 'max-pending-invitations',
    help: `unanswered battle invitations one user may have out at once, one per invitee (default ${DEFAULT_MAX_PENDING_INVITATIONS})`,
    min: 1,
    max: 1000,
    fallback: DEFAULT_MAX_PENDING_INVITATIONS,
  }),
});

export type ArenaSettings = SettingsOf<typeof arenaSettings>;
