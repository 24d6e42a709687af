// Matchmaking: the queue (matchmaker.ts pairs by rating) and the loop around it. Pairs
// whoever can be paired as players join, then again on a timer while anyone waits (their
// rating windows widen), and starts a battle for each pair.
import type { ArenaResponses } from '../../protocols/arena.js';
import type { Logger } from 'pino';
import type { AuthenticatedUser } from '../types.js';
import type { BackgroundTasks } from './background-tasks.js';
import type { BattleLifecycle } from './battle-lifecycle.js';
import { ArenaError } from './errors.js';
import { newBattle, newPlayer, rowOf, timeLimitFor } from './live-battle.js';
import type { LiveBattles } from './live-battles.js';
import { DEFAULT_WINDOW, Matchmaker, type QueueEntry, type WindowOptions } from './matchmaker.js';
import type { ProblemBank } from './problems.js';
import type { ArenaLanguage, Difficulty, Mode, Reply } from './protocol.js';
import type { BattleStore } from './store/battles.js';
import type { RatingStore } from './store/ratings.js';

export interface MatchmakingOptions {
  battleSeconds?: number;
  window?: WindowOptions;
  /** How often waiting players are paired again as their windows widen (ms). */
  matchIntervalMs?: number;
  random?: () => number;
}

export class Matchmaking {
  private readonly queue: Matchmaker;
  private matchTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly live: LiveBattles,
    private readonly bank: ProblemBank,
    private readonly ratings: RatingStore,
    private readonly battles: BattleStore,
    private readonly lifecycle: BattleLifecycle,
    private readonly tasks: BackgroundTasks,
    private readonly logger: Logger,
    private readonly options: MatchmakingOptions,
  ) {
    this.queue = new Matchmaker(options.window ?? DEFAULT_WINDOW);
  }

  /** Players waiting for an opponent. */
  get queued(): number {
    return this.queue.size;
  }

  async join(
    user: AuthenticatedUser,
    connectionId: string,
    request: { difficulty: Difficulty; language: ArenaLanguage; mode: Mode },
  ): Promise<Reply<ArenaResponses['battle:join']>> {
    this.checkFree(user.id);
    if (this.bank.list(request.difficulty).length === 0) {
      throw new ArenaError('NOT_FOUND', `No ${request.difficulty} problem is available`, {
        difficulty: request.difficulty,
      });
    }
    const { rating } = await this.ratings.rating(user.id);
    this.checkFree(user.id); // again: another request may have won the race meanwhile
    this.queue.add({ userId: user.id, username: user.username, rating, connectionId, ...request });
    return {
      data: {
        status: 'queued',
        ...request,
        rating,
        position: this.queue.positionOf(user.id),
      },
      after: () => this.match(),
    };
  }

  /** Out of the queue; false if the user was not in it. */
  leave(userId: string): boolean {
    return this.queue.remove(userId) !== undefined;
  }

  /** A closed connection's place in the queue goes with it. */
  connectionClosed(connectionId: string): void {
    this.queue.removeByConnection(connectionId);
  }

  stop(): void {
    if (this.matchTimer) clearInterval(this.matchTimer);
    this.matchTimer = null;
  }

  private checkFree(userId: string): void {
    const battleId = this.live.seatOf(userId);
    if (battleId !== undefined)
      throw new ArenaError('ALREADY_IN_BATTLE', 'You are already in a battle', { battleId });
    if (this.queue.has(userId)) {
      const entry = this.queue.get(userId)!;
      throw new ArenaError('ALREADY_QUEUED', 'You are already waiting for a battle', {
        difficulty: entry.difficulty,
        mode: entry.mode,
      });
    }
  }

  /** Pairs whoever can be paired; keeps a timer going while anyone waits. */
  private match(): void {
    for (const [a, b] of this.queue.takeMatches()) this.tasks.track(this.startPair(a, b));
    if (this.queue.size > 0 && this.matchTimer === null) {
      this.matchTimer = setInterval(() => {
        this.match();
        if (this.queue.size === 0 && this.matchTimer !== null) {
          clearInterval(this.matchTimer);
          this.matchTimer = null;
        }
      }, this.options.matchIntervalMs ?? 1000);
      this.matchTimer.unref();
    }
  }

  private async startPair(a: QueueEntry, b: QueueEntry): Promise<void> {
    const problem = this.bank.pick(a.difficulty, this.options.random)!;
    const battle = newBattle({
      mode: a.mode,
      difficulty: a.difficulty,
      problem,
      players: [
        newPlayer(a.userId, a.username, a.language, a.rating),
        newPlayer(b.userId, b.username, b.language, b.rating),
      ],
      invitee: null,
      timeLimit: timeLimitFor(problem, this.options.battleSeconds),
    });
    // Registered at once, so neither player can queue or accept an invitation meanwhile.
    this.live.add(battle);
    for (const p of battle.players) this.live.seat(p.userId, battle.id);
    try {
      await this.battles.insert(rowOf(battle));
    } catch (error) {
      this.logger.error({ err: error, battleId: battle.id }, 'arena: could not store a new battle');
      this.live.remove(battle);
      this.live.unseat(battle);
      return;
    }
    await this.lifecycle.start(battle);
  }
}
