// Battles: what the gateway, the routes and chat call. It builds the pieces and hands
// each request to the one whose job it is: matchmaking.ts (the queue), invitations.ts,
// judging.ts (submissions), battle-lifecycle.ts (start, the three endings, Elo) with
// forfeits.ts, and battle-views.ts (reading). Joining or leaving a battle by id is
// decided here, since it means something different in each state of the battle.
// Live battles are kept in memory (live-battles.ts) and every change is stored.
// Named battle-service.ts, not service.ts as in chat and collab: the arena has several
// services (chat.ts, notifications.ts, teams.ts and this one), each named for its job.
import type { ArenaResponses } from '../../protocols/arena.js';
import type { Logger } from 'pino';
import type { SandboxPool } from '../../sandbox/index.js';
import type { AuthenticatedUser, UserDirectory } from '../types.js';
import { BackgroundTasks } from './background-tasks.js';
import { BattleLifecycle } from './battle-lifecycle.js';
import { BattleViews } from './battle-views.js';
import { ArenaError } from './errors.js';
import { ForfeitWatch } from './forfeits.js';
import { Invitations } from './invitations.js';
import { Judging } from './judging.js';
import { matchedData, standing } from './live-battle.js';
import { LiveBattles } from './live-battles.js';
import type { WindowOptions } from './matchmaker.js';
import { Matchmaking } from './matchmaking.js';
import type { NotificationService } from './notifications.js';
import type { Outbox } from './outbox.js';
import type { ProblemBank } from './problems.js';
import type { ArenaLanguage, Difficulty, Mode, Reply } from './protocol.js';
import type { ArenaStores } from './store/index.js';

export interface BattleOptions {
  /** Overrides every battle's duration (s): for tests and events. */
  battleSeconds?: number;
  /** How long a player may be without any open connection before forfeiting (ms). */
  forfeitGraceMs: number;
  /** Unanswered invitations one user may have out at once (one per invitee). */
  maxPendingInvitations: number;
  window?: WindowOptions;
  /** How often waiting players are paired again as their windows widen (ms). */
  matchIntervalMs?: number;
  random?: () => number;
}

export class BattleService {
  private readonly live: LiveBattles;
  private readonly tasks: BackgroundTasks;
  private readonly forfeits: ForfeitWatch;
  private readonly lifecycle: BattleLifecycle;
  private readonly matchmaking: Matchmaking;
  private readonly invitations: Invitations;
  private readonly judging: Judging;
  private readonly views: BattleViews;

  constructor(
    stores: ArenaStores,
    users: UserDirectory,
    bank: ProblemBank,
    sandbox: SandboxPool,
    outbox: Outbox,
    notifications: NotificationService,
    logger: Logger,
    options: BattleOptions,
  ) {
    this.live = new LiveBattles(stores.battles);
    this.tasks = new BackgroundTasks(logger);
    this.forfeits = new ForfeitWatch(
      this.live,
      outbox,
      this.tasks,
      options.forfeitGraceMs,
      (battle, winner) => this.lifecycle.end(battle, winner, 'forfeit'),
    );
    this.lifecycle = new BattleLifecycle(
      this.live,
      stores.battles,
      outbox,
      this.forfeits,
      this.tasks,
      logger,
    );
    this.matchmaking = new Matchmaking(
      this.live,
      bank,
      stores.ratings,
      stores.battles,
      this.lifecycle,
      this.tasks,
      logger,
      options,
    );
    this.invitations = new Invitations(
      {
        live: this.live,
        users,
        bank,
        ratings: stores.ratings,
        battles: stores.battles,
        notificationRows: stores.notifications,
        notifications,
        matchmaking: this.matchmaking,
        lifecycle: this.lifecycle,
        tasks: this.tasks,
      },
      options,
    );
    this.judging = new Judging(this.live, sandbox, stores.submissions, outbox, this.lifecycle);
    this.views = new BattleViews(
      this.live,
      bank,
      stores.battles,
      stores.submissions,
      stores.usernames,
    );
  }

  /** Battles being played now (pending invitations not counted), and players waiting. */
  get counts(): { running: number; queued: number } {
    let running = 0;
    for (const battle of this.live.all()) if (battle.status === 'active') running++;
    return { running, queued: this.matchmaking.queued };
  }

  // --- the queue, invitations, submissions: one piece each --------------------------

  joinQueue(
    user: AuthenticatedUser,
    connectionId: string,
    request: { difficulty: Difficulty; language: ArenaLanguage; mode: Mode },
  ): Promise<Reply<ArenaResponses['battle:join']>> {
    return this.matchmaking.join(user, connectionId, request);
  }

  leaveQueue(userId: string): boolean {
    return this.matchmaking.leave(userId);
  }

  invite(
    inviter: AuthenticatedUser,
    request: { username: string; difficulty: Difficulty; language: ArenaLanguage; mode: Mode },
  ): Promise<Reply<ArenaResponses['battle:invite']>> {
    return this.invitations.invite(inviter, request);
  }

  /** notification:respond on a battle_invite. */
  respond(
    user: AuthenticatedUser,
    request: { notificationId: string; action: 'accept' | 'decline'; language?: ArenaLanguage },
  ): Promise<Reply<ArenaResponses['notification:respond']>> {
    return this.invitations.respond(user, request);
  }

  submit(
    user: AuthenticatedUser,
    request: { battleId: string; code: string; language: ArenaLanguage },
  ): Promise<Reply<ArenaResponses['battle:submit']>> {
    return this.judging.submit(user, request);
  }

  // --- joining and leaving a battle by id --------------------------------------------

  /** battle:join with a battleId: a player back, the invitee accepting, or a refusal. */
  async joinBattle(
    user: AuthenticatedUser,
    battleId: string,
    language: ArenaLanguage | undefined,
  ): Promise<Reply<ArenaResponses['battle:join']>> {
    const battle = this.live.get(battleId);
    if (!battle || battle.status === 'ended') throw await this.live.invalid(battleId);
    const me = battle.players.find((p) => p.userId === user.id);
    if (me && battle.status !== 'pending') {
      // A player back on a new connection: the battle as it stands.
      return { data: { status: battle.status, ...matchedData(battle, me), you: standing(me) } };
    }
    if (me && battle.status === 'pending') {
      const invitee = battle.invitee;
      return { data: { status: 'pending', battleId: battle.id, invitee } };
    }
    if (battle.status === 'pending' && battle.invitee?.userId === user.id) {
      // Joining the battle answers the invitation too.
      const after = await this.invitations.acceptByJoining(battle, user, language);
      return { data: { status: 'matched', battleId: battle.id }, after };
    }
    if (battle.players.length >= 2 || battle.status !== 'pending') {
      throw new ArenaError('BATTLE_FULL', 'Battle room is full', {
        battleId,
        players: battle.players.length,
      });
    }
    throw new ArenaError('FORBIDDEN', 'This battle is an invitation for another player', {
      battleId,
    });
  }

  /** battle:leave with a battleId: a player gives up (forfeit); an inviter cancels. */
  async leaveBattle(
    user: AuthenticatedUser,
    battleId: string,
  ): Promise<Reply<ArenaResponses['battle:leave']>> {
    const battle = this.live.get(battleId);
    if (!battle || battle.status === 'ended') throw await this.live.invalid(battleId);
    const me = battle.players.find((p) => p.userId === user.id);
    if (battle.status === 'pending') {
      if (me) {
        await this.invitations.cancel(battle);
        return { data: { battleId, status: 'cancelled' } };
      }
      if (battle.invitee?.userId === user.id) {
        await this.invitations.declineByLeaving(battle, user);
        return { data: { battleId, status: 'declined' } };
      }
    }
    if (!me) throw new ArenaError('FORBIDDEN', 'You are not a player of this battle', { battleId });
    if (battle.status !== 'active') throw await this.live.invalid(battleId);
    const winner = battle.players.find((p) => p !== me)!;
    return {
      data: { battleId, status: 'forfeited' },
      after: () => this.lifecycle.end(battle, winner.userId, 'forfeit'),
    };
  }

  // --- presence, reading, shutdown ---------------------------------------------------

  /** A connection closed: out of the queue if it queued; a grace period if it was the last. */
  connectionClosed(connectionId: string, userId: string): void {
    this.matchmaking.connectionClosed(connectionId);
    this.forfeits.check(userId);
  }

  /** Whether the user plays (or played) in that battle: its chat channel is theirs. */
  isPlayer(battleId: string, userId: string): Promise<boolean | null> {
    return this.views.isPlayer(battleId, userId);
  }

  /** GET /api/battles/<id>. */
  view(battleId: string) {
    return this.views.view(battleId);
  }

  /** Stops the timers and waits for endings in flight (live battles stay open in the store). */
  async close(): Promise<void> {
    this.matchmaking.stop();
    this.lifecycle.stopTimers();
    await this.tasks.idle();
  }
}
