// The matchmaking queue: players wait per difficulty and mode; each is paired with the
// nearest rating among those waiting, within a rating window that widens the longer
// they wait. No sockets and no clock of its own (both injected), so it is tested alone.
import type { ArenaLanguage, Difficulty, Mode } from './protocol.js';

export interface QueueEntry {
  userId: string;
  username: string;
  rating: number;
  difficulty: Difficulty;
  mode: Mode;
  language: ArenaLanguage;
  /** The connection that asked: its close takes the player out of the queue. */
  connectionId: string;
  /** ms (the matchmaker's clock) */
  joinedAt: number;
}

export interface WindowOptions {
  /** Rating difference accepted at once. */
  baseWindow: number;
  /** How much the window grows per second of waiting. */
  widenPerSecond: number;
  /** The widest it gets. */
  maxWindow: number;
}

export const DEFAULT_WINDOW: WindowOptions = {
  baseWindow: 100,
  widenPerSecond: 10,
  maxWindow: 1000,
};

export class Matchmaker {
  /** Oldest first (Map keeps insertion order). */
  private readonly entries = new Map<string, QueueEntry>();

  constructor(
    private readonly window: WindowOptions = DEFAULT_WINDOW,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(userId: string): boolean {
    return this.entries.has(userId);
  }

  get(userId: string): QueueEntry | undefined {
    return this.entries.get(userId);
  }

  add(entry: Omit<QueueEntry, 'joinedAt'>): QueueEntry {
    if (this.entries.has(entry.userId)) throw new Error(`${entry.userId} is already queued`);
    const queued = { ...entry, joinedAt: this.now() };
    this.entries.set(entry.userId, queued);
    return queued;
  }

  remove(userId: string): QueueEntry | undefined {
    const entry = this.entries.get(userId);
    this.entries.delete(userId);
    return entry;
  }

  /** Removes the entry made by this connection, if any. */
  removeByConnection(connectionId: string): QueueEntry | undefined {
    for (const entry of this.entries.values()) {
      if (entry.connectionId === connectionId) return this.remove(entry.userId);
    }
    return undefined;
  }

  /** The rating difference this entry accepts now. */
  windowOf(entry: QueueEntry, now = this.now()): number {
    const waitedSeconds = Math.max(0, now - entry.joinedAt) / 1000;
    return Math.min(
      this.window.maxWindow,
      this.window.baseWindow + this.window.widenPerSecond * waitedSeconds,
    );
  }

  /** Position (1-based) among those waiting for the same difficulty and mode. */
  positionOf(userId: string): number {
    const entry = this.entries.get(userId);
    if (!entry) return 0;
    let position = 0;
    for (const other of this.entries.values()) {
      if (other.difficulty === entry.difficulty && other.mode === entry.mode) position++;
      if (other === entry) break;
    }
    return position;
  }

  /**
   * Pairs whoever can be paired now and takes them out of the queue. The longest
   * waiting player chooses first: the nearest rating (then the longest waiting) among
   * those of the same difficulty and mode within the wider of the two players' windows,
   * so a long wait opens the door to newcomers too.
   */
  takeMatches(): Array<[QueueEntry, QueueEntry]> {
    const now = this.now();
    const pairs: Array<[QueueEntry, QueueEntry]> = [];
    for (const entry of [...this.entries.values()]) {
      if (!this.entries.has(entry.userId)) continue;
      let best: QueueEntry | undefined;
      let bestDistance = Infinity;
      for (const other of this.entries.values()) {
        if (other === entry || other.difficulty !== entry.difficulty || other.mode !== entry.mode)
          continue;
        const distance = Math.abs(other.rating - entry.rating);
        const window = Math.max(this.windowOf(entry, now), this.windowOf(other, now));
        if (distance > window || distance >= bestDistance) continue;
        best = other;
        bestDistance = distance;
      }
      if (best) {
        this.entries.delete(entry.userId);
        this.entries.delete(best.userId);
        pairs.push([entry, best]);
      }
    }
    return pairs;
  }
}
