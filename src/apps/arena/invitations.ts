// Invitations: a battle one player asks another by name to (battle:invite). It waits,
// pending, for the invitee to accept or decline (notification:respond, or battle:join /
// battle:leave by its id), for the inviter to cancel, or expires unanswered.
import type { ArenaResponses } from '../../protocols/arena.js';
import type { AuthenticatedUser, UserDirectory } from '../types.js';
import type { BackgroundTasks } from './background-tasks.js';
import type { BattleLifecycle } from './battle-lifecycle.js';
import { ArenaError } from './errors.js';
import { newBattle, newPlayer, rowOf, timeLimitFor, type LiveBattle } from './live-battle.js';
import type { LiveBattles } from './live-battles.js';
import type { Matchmaking } from './matchmaking.js';
import type { NotificationService } from './notifications.js';
import { PendingInvitations } from './pending-invitations.js';
import type { ProblemBank } from './problems.js';
import type { ArenaLanguage, Difficulty, Mode, Reply } from './protocol.js';
import type { BattleStore } from './store/battles.js';
import type { NotificationStore } from './store/notifications.js';
import type { RatingStore } from './store/ratings.js';

/** An invitation nobody answered is withdrawn after this long. */
export const INVITATION_TTL_MS = 10 * 60 * 1000;

export interface InvitationOptions {
  battleSeconds?: number;
  maxPendingInvitations: number;
  random?: () => number;
}

export interface InvitationDeps {
  live: LiveBattles;
  users: UserDirectory;
  bank: ProblemBank;
  ratings: RatingStore;
  battles: BattleStore;
  notificationRows: NotificationStore;
  notifications: NotificationService;
  matchmaking: Matchmaking;
  lifecycle: BattleLifecycle;
  tasks: BackgroundTasks;
}

export class Invitations {
  private readonly pending: PendingInvitations;

  constructor(
    private readonly deps: InvitationDeps,
    private readonly options: InvitationOptions,
  ) {
    this.pending = new PendingInvitations(options.maxPendingInvitations);
  }

  async invite(
    inviter: AuthenticatedUser,
    request: { username: string; difficulty: Difficulty; language: ArenaLanguage; mode: Mode },
  ): Promise<Reply<ArenaResponses['battle:invite']>> {
    const invitee = await this.deps.users.findByUsername(request.username);
    if (!invitee) throw new ArenaError('NOT_FOUND', 'No such user', { username: request.username });
    if (invitee.id === inviter.id)
      throw new ArenaError('VALIDATION_ERROR', 'You cannot invite yourself', {});
    // Synchronously after the last await above: concurrent invitations see each other.
    this.pending.reserve(inviter.id, invitee.id);
    try {
      return await this.create(inviter, invitee, request);
    } catch (error) {
      this.pending.release(inviter.id, invitee.id);
      throw error;
    }
  }

  private async create(
    inviter: AuthenticatedUser,
    invitee: AuthenticatedUser,
    request: { difficulty: Difficulty; language: ArenaLanguage; mode: Mode },
  ): Promise<Reply<ArenaResponses['battle:invite']>> {
    const { live, bank } = this.deps;
    const busy = live.seatOf(inviter.id);
    if (busy !== undefined)
      throw new ArenaError('ALREADY_IN_BATTLE', 'You are already in a battle', { battleId: busy });
    const problem = bank.pick(request.difficulty, this.options.random);
    if (!problem) {
      throw new ArenaError('NOT_FOUND', `No ${request.difficulty} problem is available`, {
        difficulty: request.difficulty,
      });
    }
    const { rating } = await this.deps.ratings.rating(inviter.id);
    const battle = newBattle({
      mode: request.mode,
      difficulty: request.difficulty,
      problem,
      players: [newPlayer(inviter.id, inviter.username, request.language, rating)],
      invitee: { userId: invitee.id, username: invitee.username },
      timeLimit: timeLimitFor(problem, this.options.battleSeconds),
    });
    await this.deps.battles.insert(rowOf(battle));
    live.add(battle);
    this.pending.created(inviter.id, invitee.id, battle.id);
    battle.timer = setTimeout(() => this.deps.tasks.track(this.expire(battle)), INVITATION_TTL_MS);
    battle.timer.unref();
    const notification = await this.deps.notifications.notifyUser(invitee.id, {
      type: 'battle_invite',
      title: 'Battle Invitation',
      message: `${inviter.username} invited you to a battle`,
      data: {
        battleId: battle.id,
        inviterId: inviter.id,
        inviter: inviter.username,
        difficulty: request.difficulty,
        mode: request.mode,
      },
      actions: ['accept', 'decline'],
    });
    battle.notificationId = notification.id;
    return {
      data: {
        battleId: battle.id,
        notificationId: notification.id,
        invitee: { userId: invitee.id, username: invitee.username },
        difficulty: request.difficulty,
        mode: request.mode,
        status: 'pending',
      },
    };
  }

  /** notification:respond on a battle_invite. */
  async respond(
    user: AuthenticatedUser,
    request: { notificationId: string; action: 'accept' | 'decline'; language?: ArenaLanguage },
  ): Promise<Reply<ArenaResponses['notification:respond']>> {
    const row = await this.deps.notificationRows.get(request.notificationId);
    if (!row || row.user_id !== user.id)
      throw new ArenaError('NOT_FOUND', 'No such notification', {
        notificationId: request.notificationId,
      });
    if (row.type !== 'battle_invite') {
      throw new ArenaError('VALIDATION_ERROR', 'This notification takes no answer', {
        notificationId: row.id,
        type: row.type,
      });
    }
    const battleId = String((JSON.parse(row.data) as { battleId?: unknown }).battleId);
    const battle = await this.pendingInvitation(battleId, user.id);
    if (request.action === 'accept') this.checkCanAccept(battle, user.id);
    await this.deps.notifications.answer(user.id, row.id, request.action);
    if (request.action === 'decline') {
      await this.decline(battle, user);
      return { data: { notificationId: row.id, action: 'decline', battleId, status: 'declined' } };
    }
    const after = await this.accept(battle, user, request.language);
    return {
      data: { notificationId: row.id, action: 'accept', battleId, status: 'active' },
      after,
    };
  }

  /** battle:join by the invitee: accepts, and answers the invitation's notification too. */
  async acceptByJoining(
    battle: LiveBattle,
    user: AuthenticatedUser,
    language: ArenaLanguage | undefined,
  ): Promise<() => Promise<void>> {
    this.checkCanAccept(battle, user.id);
    const after = await this.accept(battle, user, language);
    if (battle.notificationId)
      await this.deps.notificationRows.answer(battle.notificationId, 'accept');
    return after;
  }

  /** battle:leave by the invitee: declines, and answers the invitation's notification too. */
  async declineByLeaving(battle: LiveBattle, user: AuthenticatedUser): Promise<void> {
    if (battle.notificationId)
      await this.deps.notificationRows.answer(battle.notificationId, 'decline');
    await this.decline(battle, user);
  }

  /** battle:leave by the inviter: the invitation is withdrawn. */
  async cancel(battle: LiveBattle): Promise<void> {
    await this.close(battle, 'cancelled');
  }

  private async pendingInvitation(battleId: string, userId: string): Promise<LiveBattle> {
    const battle = this.deps.live.get(battleId);
    if (!battle || battle.status !== 'pending' || battle.invitee?.userId !== userId)
      throw await this.deps.live.invalid(battleId);
    return battle;
  }

  private checkCanAccept(battle: LiveBattle, userId: string): void {
    const mine = this.deps.live.seatOf(userId);
    if (mine !== undefined)
      throw new ArenaError('ALREADY_IN_BATTLE', 'You are already in a battle', { battleId: mine });
    const inviter = battle.players[0]!;
    const theirs = this.deps.live.seatOf(inviter.userId);
    if (theirs !== undefined) {
      throw new ArenaError('ALREADY_IN_BATTLE', `${inviter.username} is in another battle`, {
        userId: inviter.userId,
      });
    }
  }

  /** The invitee takes the second seat; returns what starts the battle after the response. */
  private async accept(
    battle: LiveBattle,
    user: AuthenticatedUser,
    language: ArenaLanguage | undefined,
  ): Promise<() => Promise<void>> {
    this.checkCanAccept(battle, user.id);
    const { rating } = await this.deps.ratings.rating(user.id);
    if (battle.status !== 'pending' || battle.players.length !== 1)
      throw await this.deps.live.invalid(battle.id);
    this.checkCanAccept(battle, user.id);
    this.released(battle);
    battle.players.push(
      newPlayer(user.id, user.username, language ?? battle.players[0]!.language, rating),
    );
    for (const p of battle.players) {
      this.deps.matchmaking.leave(p.userId);
      this.deps.live.seat(p.userId, battle.id);
    }
    return () => this.deps.lifecycle.start(battle);
  }

  /** The invitation is no longer pending: its place in the inviter's limit is free. */
  private released(battle: LiveBattle): void {
    if (battle.invitee) this.pending.release(battle.players[0]!.userId, battle.invitee.userId);
  }

  private async expire(battle: LiveBattle): Promise<void> {
    if (battle.status !== 'pending' || battle.players.length !== 1) return;
    battle.status = 'ended';
    this.released(battle);
    this.deps.live.remove(battle);
    await this.deps.battles.update(battle.id, {
      status: 'expired',
      ended: new Date().toISOString(),
    });
  }

  private async decline(battle: LiveBattle, user: AuthenticatedUser): Promise<void> {
    await this.close(battle, 'declined');
    const inviter = battle.players[0]!;
    await this.deps.notifications.notifyUser(inviter.userId, {
      type: 'battle_declined',
      title: 'Invitation declined',
      message: `${user.username} declined your battle invitation`,
      data: { battleId: battle.id, userId: user.id, username: user.username },
    });
  }

  /** The invitation ends without a battle. */
  private async close(battle: LiveBattle, status: 'declined' | 'cancelled'): Promise<void> {
    battle.status = 'ended';
    this.released(battle);
    if (battle.timer) clearTimeout(battle.timer);
    this.deps.live.remove(battle);
    await this.deps.battles.update(battle.id, { status, ended: new Date().toISOString() });
  }
}
