// The runner's games: each a leaderboard with its own audience. A connection that names
// no game plays its own (spec 002's startGame/updateScore work unchanged, and nobody
// else can reset or read it); connections that give the same `?game=<name>` share one.
// The first of them owns it: only the owner may restart it (startGame); every member
// may update scores and gets every leaderboardUpdate. When the owner leaves, the
// longest-present member becomes the owner; the game ends with its last member.
import { Leaderboard } from './leaderboard.js';

/** Names a client may give: also what goes into the broker's room name. */
export const GAME_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface Game {
  /** The broker room of its members. */
  room: string;
  board: Leaderboard;
  /** Connection ids in arrival order; the first is the owner. */
  members: string[];
}

export class Games {
  private readonly shared = new Map<string, Game>();

  /** A game of this connection alone. */
  own(connectionId: string): Game {
    return { room: `own:${connectionId}`, board: new Leaderboard(), members: [connectionId] };
  }

  /** The named game, created with this connection as owner if nobody plays it yet. */
  join(name: string, connectionId: string): Game {
    let game = this.shared.get(name);
    if (!game) {
      game = { room: `game:${name}`, board: new Leaderboard(), members: [] };
      this.shared.set(name, game);
    }
    game.members.push(connectionId);
    return game;
  }

  /** The connection left: ownership passes on; the last one out ends the game. */
  leave(game: Game, connectionId: string): void {
    game.members = game.members.filter((id) => id !== connectionId);
    if (game.members.length === 0 && game.room.startsWith('game:'))
      this.shared.delete(game.room.slice('game:'.length));
  }

  isOwner(game: Game, connectionId: string): boolean {
    return game.members[0] === connectionId;
  }

  /** Shared games now (for metrics and tests). */
  get sharedCount(): number {
    return this.shared.size;
  }
}
