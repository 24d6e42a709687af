// A battle from its start to its end: the clock, the three ways it ends (solved, time
// up, forfeit), the Elo update stored with the end, and battle:matched / battle:ended.
import type { Logger } from 'pino';
import type { BackgroundTasks } from './background-tasks.js';
import { updateRatings } from './elo.js';
import type { ForfeitWatch } from './forfeits.js';
import { matchedData, standing, type LiveBattle, type Player } from './live-battle.js';
import type { LiveBattles } from './live-battles.js';
import type { Outbox } from './outbox.js';
import type { BattleStore } from './store/battles.js';
import type { RatingChange } from './store/ratings.js';

export type EndReason = 'solved' | 'timeout' | 'forfeit';

export class BattleLifecycle {
  constructor(
    private readonly live: LiveBattles,
    private readonly store: BattleStore,
    private readonly outbox: Outbox,
    private readonly forfeits: ForfeitWatch,
    private readonly tasks: BackgroundTasks,
    private readonly logger: Logger,
  ) {}

  /** Both seats taken: the clock starts and both players get battle:matched. */
  async start(battle: LiveBattle): Promise<void> {
    if (battle.timer) clearTimeout(battle.timer); // an invitation's expiry
    battle.status = 'active';
    battle.startedAt = Date.now();
    try {
      await this.store.update(battle.id, {
        status: 'active',
        started: new Date(battle.startedAt).toISOString(),
        player2_id: battle.players[1]!.userId,
        player2_language: battle.players[1]!.language,
      });
    } catch (error) {
      this.logger.error(
        { err: error, battleId: battle.id },
        'arena: could not store a battle start',
      );
    }
    battle.timer = setTimeout(() => this.tasks.track(this.timeUp(battle)), battle.timeLimit * 1000);
    battle.timer.unref();
    for (const p of battle.players)
      this.outbox.toUser(p.userId, 'battle:matched', matchedData(battle, p));
    // A player with no connection (an invitation accepted while the inviter was away)
    // has the grace period to come back, as after a disconnect.
    for (const p of battle.players) this.forfeits.check(p.userId);
  }

  /** Time is up: wait for submissions being judged, then best score wins, then earliest. */
  private async timeUp(battle: LiveBattle): Promise<void> {
    if (battle.status !== 'active') return;
    battle.status = 'ending';
    await Promise.all(battle.players.map((p) => p.judging));
    const [a, b] = battle.players as [Player, Player];
    let winner: string | null = null;
    if (a.score !== b.score) winner = a.score > b.score ? a.userId : b.userId;
    else if (a.score > 0 && a.elapsedMs !== b.elapsedMs)
      winner = a.elapsedMs! < b.elapsedMs! ? a.userId : b.userId;
    await this.end(battle, winner, 'timeout');
  }

  /** Ends the battle once: frees its players, stores the end (rated unless practice), tells both. */
  async end(battle: LiveBattle, winner: string | null, reason: EndReason): Promise<void> {
    if (battle.status === 'ended') return;
    battle.status = 'ended';
    if (battle.timer) clearTimeout(battle.timer);
    this.live.remove(battle);
    this.live.unseat(battle);
    for (const p of battle.players) this.forfeits.clear(p.userId);
    const results = Object.fromEntries(
      battle.players.map((p) => [p.userId, { score: p.score, time: standing(p).time }]),
    );
    const ended = new Date().toISOString();
    let ratings: Record<string, { before: number; after: number }> = {};
    try {
      const changes = await this.store.finish(
        battle.id,
        {
          status: 'ended',
          ended,
          winner_id: winner,
          end_reason: reason,
          results: JSON.stringify(results),
        },
        battle.mode === 'practice' ? null : (current) => rate(battle, current, winner),
        battle.players.map((p) => p.userId),
      );
      ratings = Object.fromEntries(changes);
    } catch (error) {
      this.logger.error(
        { err: error, battleId: battle.id },
        'arena: could not store the end of a battle',
      );
    }
    this.outbox.toUsers(
      battle.players.map((p) => p.userId),
      'battle:ended',
      { battleId: battle.id, winner, results, reason, ratings },
    );
  }

  /** Shutdown: no clock runs on (live battles stay open in the store). */
  stopTimers(): void {
    for (const battle of this.live.all()) if (battle.timer) clearTimeout(battle.timer);
    this.forfeits.clearAll();
  }
}

function rate(
  battle: LiveBattle,
  current: Map<string, number>,
  winner: string | null,
): RatingChange[] {
  const [a, b] = battle.players as [Player, Player];
  const score = winner === null ? 0.5 : winner === a.userId ? 1 : 0;
  const [ra, rb] = updateRatings(current.get(a.userId)!, current.get(b.userId)!, score);
  const outcome = (mine: number) =>
    (mine === 1 ? 'win' : mine === 0 ? 'loss' : 'draw') as RatingChange['outcome'];
  return [
    { userId: a.userId, rating: ra, outcome: outcome(score) },
    { userId: b.userId, rating: rb, outcome: outcome(1 - score) },
  ];
}
