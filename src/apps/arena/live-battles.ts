// The live battles of this process (the store has every battle, live or not) and which
// battle each player is seated in: a seated player can neither queue nor take another.
import { ArenaError } from './errors.js';
import type { LiveBattle } from './live-battle.js';
import type { BattleStore } from './store/battles.js';

export class LiveBattles {
  private readonly battles = new Map<string, LiveBattle>();
  private readonly seats = new Map<string, string>();

  constructor(private readonly store: BattleStore) {}

  get(battleId: string): LiveBattle | undefined {
    return this.battles.get(battleId);
  }

  all(): IterableIterator<LiveBattle> {
    return this.battles.values();
  }

  add(battle: LiveBattle): void {
    this.battles.set(battle.id, battle);
  }

  remove(battle: LiveBattle): void {
    this.battles.delete(battle.id);
  }

  /** The battle the user is seated in, if any. */
  seatOf(userId: string): string | undefined {
    return this.seats.get(userId);
  }

  seat(userId: string, battleId: string): void {
    this.seats.set(userId, battleId);
  }

  /** Frees the battle's players (those still seated in it). */
  unseat(battle: LiveBattle): void {
    for (const p of battle.players)
      if (this.seats.get(p.userId) === battle.id) this.seats.delete(p.userId);
  }

  /** INVALID_BATTLE_ID with the battle's status: live, stored, or not_found. */
  async invalid(battleId: string): Promise<ArenaError> {
    const live = this.battles.get(battleId);
    const status = live ? live.status : ((await this.store.get(battleId))?.status ?? 'not_found');
    return new ArenaError('INVALID_BATTLE_ID', 'Battle not found or already ended', {
      battleId,
      status,
    });
  }
}
