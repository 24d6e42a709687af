// Which invitations each inviter has out, counted from the moment one is accepted for
// processing (before its awaits), so a burst of battle:invite cannot slip past the
// limits: one pending invitation per inviter→invitee pair, `limit` per inviter.
import { ArenaError } from './errors.js';

export class PendingInvitations {
  /** inviter id → invitee id → battle id (null while the invitation is being created). */
  private readonly byInviter = new Map<string, Map<string, string | null>>();

  constructor(private readonly limit: number) {}

  /** Reserves a place or throws CONFLICT (that invitee already) / RATE_LIMITED (too many). */
  reserve(inviterId: string, inviteeId: string): void {
    const mine = this.byInviter.get(inviterId) ?? new Map<string, string | null>();
    if (mine.has(inviteeId)) {
      const battleId = mine.get(inviteeId);
      throw new ArenaError(
        'CONFLICT',
        'You already invited this user; wait for an answer',
        battleId ? { battleId } : {},
      );
    }
    if (mine.size >= this.limit) {
      throw new ArenaError(
        'RATE_LIMITED',
        `You have ${mine.size} unanswered invitations; cancel one or wait for answers`,
        { limit: this.limit },
      );
    }
    mine.set(inviteeId, null);
    this.byInviter.set(inviterId, mine);
  }

  /** The reserved invitation now exists as this battle. */
  created(inviterId: string, inviteeId: string, battleId: string): void {
    this.byInviter.get(inviterId)?.set(inviteeId, battleId);
  }

  /** The invitation was answered, withdrawn, expired, or never created. */
  release(inviterId: string, inviteeId: string): void {
    const mine = this.byInviter.get(inviterId);
    if (!mine) return;
    mine.delete(inviteeId);
    if (mine.size === 0) this.byInviter.delete(inviterId);
  }
}
