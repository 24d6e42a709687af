// Forfeit by absence: a player seated in a battle with no open connection left has a
// grace period to come back; still away when it ends, the opponent wins.
import type { BackgroundTasks } from './background-tasks.js';
import type { LiveBattle } from './live-battle.js';
import type { LiveBattles } from './live-battles.js';
import type { Outbox } from './outbox.js';

export class ForfeitWatch {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly live: LiveBattles,
    private readonly outbox: Outbox,
    private readonly tasks: BackgroundTasks,
    private readonly graceMs: number,
    /** Ends the battle, won by `winnerId`, for forfeit. */
    private readonly forfeit: (battle: LiveBattle, winnerId: string) => Promise<void>,
  ) {}

  /** After a connection closed, or as a battle starts: starts the grace period if the user is offline. */
  check(userId: string): void {
    this.tasks.track(this.offlineCheck(userId));
  }

  /** The battle ended: no forfeit pending for this player any more. */
  clear(userId: string): void {
    const timer = this.timers.get(userId);
    if (timer) clearTimeout(timer);
    this.timers.delete(userId);
  }

  /** Shutdown: every grace period stops. */
  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async offlineCheck(userId: string): Promise<void> {
    if (!(await this.outbox.isOnline(userId))) this.userOffline(userId);
  }

  private userOffline(userId: string): void {
    const battleId = this.live.seatOf(userId);
    if (battleId === undefined) return;
    const previous = this.timers.get(userId);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.timers.delete(userId);
      this.tasks.track(this.forfeitIfStillAway(userId, battleId));
    }, this.graceMs);
    timer.unref();
    this.timers.set(userId, timer);
  }

  // Checked when the grace period ends, not cancelled on reconnect: a reconnect
  // that never completes its handshake then cannot save a player by mistake.
  private async forfeitIfStillAway(userId: string, battleId: string): Promise<void> {
    if (await this.outbox.isOnline(userId)) return;
    const battle = this.live.get(battleId);
    if (!battle || battle.status !== 'active') return;
    const winner = battle.players.find((p) => p.userId !== userId);
    if (winner) await this.forfeit(battle, winner.userId);
  }
}
