// The one game of this server: players and scores, in memory (per process; the
// Redis-backed version comes with scale-out). No sockets: the gateway sends the
// standings this returns to every runner connection.
import type { LeaderboardEntry, StartGameData } from './protocol.js';

/** The players of a game started without a list (and of the game the server starts with). */
export const DEFAULT_PLAYERS: readonly string[] = ['Alice', 'Bob', 'Charlie', 'Diana'];

export class UnknownPlayerError extends Error {
  constructor(readonly playerId: number) {
    super(`unknown player ${playerId}`);
  }
}

export class Leaderboard {
  private players = new Map<number, LeaderboardEntry>();

  constructor() {
    this.start(undefined);
  }

  /** Resets the game: the given players (ids 1, 2, … where not given), every score 0. */
  start(data: StartGameData): LeaderboardEntry[] {
    const given = data?.players ?? DEFAULT_PLAYERS;
    const players = given.map((p) => (typeof p === 'string' ? { name: p } : p));
    const taken = new Set(players.flatMap((p) => (p.id === undefined ? [] : [p.id])));
    let next = 1;
    this.players = new Map();
    for (const player of players) {
      let id = player.id;
      if (id === undefined) {
        while (taken.has(next)) next++;
        id = next++;
      }
      this.players.set(id, { id, name: player.name, score: 0 });
    }
    return this.standings();
  }

  update(playerId: number, change: number): LeaderboardEntry[] {
    const player = this.players.get(playerId);
    if (!player) throw new UnknownPlayerError(playerId);
    player.score += change;
    return this.standings();
  }

  /** Highest score first; equal scores by id. */
  standings(): LeaderboardEntry[] {
    return [...this.players.values()]
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .map((p) => ({ ...p }));
  }
}
