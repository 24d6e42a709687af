// Collab sessions: creating them, loading one into memory while it is in use, saving
// its code, language and version after every change (writes coalesced, one in flight
// per session), and letting it go again once nobody has been connected for a while.
// No sockets: the gateway asks whether a session still has connections.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { LiveSession, type SessionRecord } from './live-session.js';
import { MAX_CODE_LENGTH, type ParticipantView } from './protocol.js';
import type { CollabStore } from './store.js';

export const DEFAULT_LANGUAGE = 'javascript';

export interface CollabServiceOptions {
  /** How long an unused session stays in memory (its recent history with it). */
  idleUnloadMs?: number;
  historyLimit?: number;
  /** Longest code of one session (creation and edits). */
  maxCodeChars?: number;
  /** Bytes of code of all sessions together past which none is created. */
  maxStoredBytes?: number;
  /** A session not edited for this long, with nobody connected, is deleted. */
  sessionTtlMs?: number;
  /** How often idle sessions are looked for (default: a quarter of the TTL, at most 1 h). */
  sweepIntervalMs?: number;
  logger?: Pick<Logger, 'error' | 'info'>;
}

/** A session that cannot be created now; `status` for the REST answer. */
export class CollabLimitError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SWEEP_BATCH = 500;

export interface SessionView {
  sessionId: string;
  code: string;
  language: string;
  version: number;
  participants: ParticipantView[];
  createdAt: string;
  updatedAt: string;
}

interface PendingSave {
  dirty: boolean;
  done: Promise<void>;
}

export class CollabService {
  private readonly live = new Map<string, LiveSession>();
  private readonly loading = new Map<string, Promise<LiveSession | null>>();
  private readonly saving = new Map<string, PendingSave>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly idleUnloadMs: number;
  /** Bytes of code stored: counted at start and after each sweep, plus every creation since. */
  private storedBytes = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  /** Set by the gateway: whether any connection is on the session. */
  isInUse: (sessionId: string) => boolean = () => false;
  private closed = false;

  constructor(
    private readonly store: CollabStore,
    private readonly options: CollabServiceOptions = {},
  ) {
    this.idleUnloadMs = options.idleUnloadMs ?? 60_000;
  }

  /** Counts what is stored and starts expiring idle sessions (call once, after migrations). */
  async start(): Promise<void> {
    await this.sweep();
    const ttl = this.options.sessionTtlMs;
    if (ttl === undefined) return;
    const every = this.options.sweepIntervalMs ?? Math.min(ttl / 4, 3_600_000);
    this.sweepTimer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) =>
          this.options.logger?.error({ err: error }, 'expiring idle collab sessions failed'),
        )
        .finally(() => (this.sweeping = null));
    }, every);
    this.sweepTimer.unref();
  }

  /** Deletes the sessions idle past the TTL (never one held in memory), then recounts. */
  private async sweep(): Promise<void> {
    const ttl = this.options.sessionTtlMs;
    if (ttl !== undefined) {
      const cutoff = new Date(Date.now() - ttl).toISOString();
      let deleted = 0;
      for (;;) {
        const ids = await this.store.idleSince(cutoff, SWEEP_BATCH);
        const idle = ids.filter((id) => !this.live.has(id) && !this.loading.has(id));
        deleted += await this.store.deleteIdle(idle, cutoff);
        if (ids.length < SWEEP_BATCH || idle.length === 0 || this.closed) break;
      }
      if (deleted > 0)
        this.options.logger?.info({ sessions: deleted }, 'collab: idle sessions deleted');
    }
    this.storedBytes = await this.store.storedBytes();
  }

  get maxCodeChars(): number {
    return this.options.maxCodeChars ?? MAX_CODE_LENGTH;
  }

  async createSession(input: { code?: string; language?: string } = {}): Promise<string> {
    const bytes = Buffer.byteLength(input.code ?? '');
    const max = this.options.maxStoredBytes;
    if (max !== undefined && this.storedBytes + bytes > max)
      throw new CollabLimitError(503, 'Session storage is full; try again later');
    // Counted before the write, so concurrent creations cannot all pass the check.
    this.storedBytes += bytes;
    const record: SessionRecord = {
      id: randomUUID(),
      code: input.code ?? '',
      language: input.language ?? DEFAULT_LANGUAGE,
      version: 0,
    };
    await this.store.create(record, new Date().toISOString());
    return record.id;
  }

  /** The session as it is now (live state when loaded), or null when unknown. */
  async describe(sessionId: string): Promise<SessionView | null> {
    const stored = await this.store.find(sessionId);
    if (!stored) return null;
    const live = this.live.get(sessionId);
    const current = live ? live.record : stored;
    return {
      sessionId,
      code: current.code,
      language: current.language,
      version: current.version,
      participants: live ? live.participantList() : [],
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
    };
  }

  /** The live session, loading it if needed; null when there is no such session. */
  async open(sessionId: string): Promise<LiveSession | null> {
    const live = this.live.get(sessionId);
    if (live) return live;
    let loading = this.loading.get(sessionId);
    if (!loading) {
      loading = this.load(sessionId).finally(() => this.loading.delete(sessionId));
      this.loading.set(sessionId, loading);
    }
    return loading;
  }

  private async load(sessionId: string): Promise<LiveSession | null> {
    const stored = await this.store.find(sessionId);
    if (!stored || this.closed) return null;
    const session = new LiveSession(stored, this.options.historyLimit, this.maxCodeChars);
    this.live.set(sessionId, session);
    // If the connection that asked never opens, nobody else would schedule this.
    this.released(sessionId);
    return session;
  }

  /** Call after any change to code, language or version. */
  changed(session: LiveSession): void {
    const pending = this.saving.get(session.id);
    if (pending) {
      pending.dirty = true;
      return;
    }
    const save: PendingSave = { dirty: true, done: Promise.resolve() };
    save.done = (async () => {
      while (save.dirty) {
        save.dirty = false;
        try {
          await this.store.save(session.record, new Date().toISOString());
        } catch (error) {
          this.options.logger?.error(
            { err: error, sessionId: session.id },
            'saving a collab session failed',
          );
          break;
        }
      }
      this.saving.delete(session.id);
    })();
    this.saving.set(session.id, save);
  }

  /** A connection left the session: unload it later if nobody comes back. */
  released(sessionId: string): void {
    if (this.closed || this.unloadTimers.has(sessionId)) return;
    const timer = setTimeout(() => {
      this.unloadTimers.delete(sessionId);
      this.unloadIfIdle(sessionId);
    }, this.idleUnloadMs);
    timer.unref();
    this.unloadTimers.set(sessionId, timer);
  }

  // Synchronous on purpose: between a load and the connection joining its room no
  // timer can run, so a session is never dropped under a connection that just got it.
  private unloadIfIdle(sessionId: string): void {
    if (!this.live.has(sessionId)) return;
    if (this.isInUse(sessionId) || this.saving.has(sessionId)) {
      if (!this.isInUse(sessionId)) this.released(sessionId);
      return;
    }
    this.live.delete(sessionId);
  }

  /** Sessions held in memory now (for tests and metrics). */
  get liveCount(): number {
    return this.live.size;
  }

  /** Waits for every pending save; stops unloading. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
    for (const timer of this.unloadTimers.values()) clearTimeout(timer);
    this.unloadTimers.clear();
    while (this.saving.size > 0) await Promise.all([...this.saving.values()].map((s) => s.done));
  }
}
