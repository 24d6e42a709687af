// The arena protocol (spec 000, /v1): requests `{id, type, event, data, timestamp}`
// answered by a response or an error echoing the id; server events by name. Request
// methods resolve with the response's `data` and reject with ArenaRequestError.
//
// After a reconnect the client re-joins what it had joined: its chat channels, the
// matchmaking queue if it was waiting there (the server drops a connection's queue entry
// when it closes), and its battle if one is running (the server answers with the battle
// as it stands). Each re-join is reported as a 'rejoin' event.
//
// Heartbeat: `system:ping` (answered by `system:pong`) after 15 s of silence.
// Close 4401 (bad or expired token) is final unless `token` is a function, which may
// return a fresh one.
import { ProtocolClient, type ClientOptions } from './client-base.js';
import { RingsideClientError } from './errors.js';
import { newRequestId, PendingRequests } from './pending-requests.js';
import type {
  ArenaEventName,
  ArenaLanguage,
  ArenaRequestEvent,
  ArenaRequests,
  ArenaResponses,
  ArenaServerEvents,
  BattleEnded,
  BattleMatched,
  BattleMode,
  Difficulty,
} from '../protocols/arena.js';

// The wire types are the server's own (src/protocols/arena.ts); type-only imports, so
// the compiled SDK loads nothing from outside src/client. (The server calls BattleMode
// `Mode`; it is the same type.)
export type {
  ArenaLanguage,
  ArenaResponses,
  ArenaServerEvents,
  BattleEnded,
  BattleMatched,
  BattleMode,
  ChatMessageEvent,
  Difficulty,
  ExecutionResult,
} from '../protocols/arena.js';

/** Every message from the server, as received. */
export interface ArenaEnvelope {
  id: string | number | null;
  type: 'response' | 'event' | 'error' | string;
  event?: string;
  success?: boolean;
  data?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  timestamp?: string;
}

export interface RejoinReport {
  event: 'chat:join' | 'battle:join';
  data: Record<string, unknown>;
  response?: unknown;
  error?: Error;
}

/** Each server event with its data (see ArenaServerEvents), plus the client's own. */
export type ArenaEvents = {
  [K in ArenaEventName]: [data: ArenaServerEvents[K], message: ArenaEnvelope];
} & {
  /** Every server event, whatever its name. */
  event: [name: string, data: unknown, message: ArenaEnvelope];
  /** An error that answers no request of this client (e.g. UNAUTHORIZED on connect). */
  error: [error: ArenaRequestError];
  /** A re-join after a reconnect (see the top comment). */
  rejoin: [report: RejoinReport];
};

/** The server answered a request with `{type: "error"}`. */
export class ArenaRequestError extends RingsideClientError {
  constructor(
    readonly code: string,
    readonly serverMessage: string,
    readonly details: Record<string, unknown>,
    readonly requestId: string | number | null,
    readonly event: string | undefined,
  ) {
    super(`${event ?? 'arena'} failed: ${code}: ${serverMessage}`);
  }
}

export type ArenaClientOptions = ClientOptions;

/** The request events of the protocol (others can be sent with request()). */
type RequestType = 'subscribe' | 'unsubscribe' | 'action';

const CLOSE_UNAUTHORIZED = 4401;
const RECENT_EVENT_IDS = 200;

export class ArenaClient extends ProtocolClient<ArenaEvents> {
  private readonly requests: PendingRequests;
  private readonly labels = new Map<string, string>();
  private readonly channels = new Map<string, { channel: string; battleId?: string }>();
  private queued: { difficulty: Difficulty; language?: ArenaLanguage; mode?: BattleMode } | null =
    null;
  /** The battle this user plays, from battle:matched to battle:ended. */
  battleId: string | null = null;
  private readonly recentEvents = new Set<string | number>();

  constructor(options: ArenaClientOptions = {}) {
    super(options, '/v1', {
      heartbeat: {
        message: () => JSON.stringify({ type: 'action', event: 'system:ping', data: {} }),
      },
      shouldReconnect: (close) =>
        close.code !== CLOSE_UNAUTHORIZED || typeof options.token === 'function',
    });
    this.requests = new PendingRequests(this.socket);
    this.socket.addOpenHook((info) => {
      if (info.reconnected) this.rejoin();
    });
    this.autoConnect();
  }

  /**
   * Sends a request and resolves with its response's `data` (matched by request id);
   * rejects with ArenaRequestError, RequestTimeoutError, ConnectionLostError (sent, then
   * the connection dropped), QueueFullError or SocketClosedError.
   */
  request<T = unknown>(
    event: string,
    data: Record<string, unknown> = {},
    type: RequestType = 'action',
  ): Promise<T> {
    const id = newRequestId();
    this.labels.set(id, event);
    const message = { id, type, event, data, timestamp: new Date().toISOString() };
    const promise = this.requests.start<T>(id, event, id, this.requestTimeoutMs, (onSent) =>
      this.sendJson(message, onSent),
    );
    const forget = () => this.labels.delete(id);
    promise.then(forget, forget);
    return promise;
  }

  /** request() with the wire types of a request the protocol defines. */
  private call<E extends ArenaRequestEvent>(
    event: E,
    data: ArenaRequests[E],
    type: RequestType = 'action',
  ): Promise<ArenaResponses[E]> {
    return this.request<ArenaResponses[E]>(event, data, type);
  }

  /**
   * Joins the matchmaking queue (`{difficulty, language?, mode?}`) or a battle by id
   * (`{battleId, language?}`). Resolves with the response (e.g. `{status: 'queued', …}`);
   * the match itself arrives as 'battle:matched'.
   */
  async joinBattle(
    options:
      | { difficulty: Difficulty; language?: ArenaLanguage; mode?: BattleMode }
      | { battleId: string; language?: ArenaLanguage },
  ): Promise<{ status: string; [key: string]: unknown }> {
    // Loosely typed for compatibility; ArenaResponses['battle:join'] has every variant.
    const response = await this.request<{ status: string; [key: string]: unknown }>(
      'battle:join',
      { ...options } satisfies ArenaRequests['battle:join'],
      'subscribe',
    );
    if ('difficulty' in options && response.status === 'queued') this.queued = { ...options };
    if ('battleId' in options && response.status !== 'pending') this.battleId = options.battleId;
    return response;
  }

  /** Leaves the queue (no battleId) or gives up / cancels a battle. */
  async leaveBattle(battleId?: string): Promise<ArenaResponses['battle:leave']> {
    const response = await this.call('battle:leave', battleId ? { battleId } : {}, 'unsubscribe');
    if (!battleId) this.queued = null;
    return response;
  }

  /** Submits code to the current battle (or `battleId`); the verdict comes as 'battle:execution_result'. */
  submit(
    submission: Omit<ArenaRequests['battle:submit'], 'battleId'> & { battleId?: string },
  ): Promise<ArenaResponses['battle:submit']> {
    const battleId = submission.battleId ?? this.battleId;
    if (!battleId) {
      return Promise.reject(new RingsideClientError('submit: no battle (pass battleId)'));
    }
    return this.call('battle:submit', { ...submission, battleId });
  }

  invite(invitation: ArenaRequests['battle:invite']): Promise<ArenaResponses['battle:invite']> {
    return this.call('battle:invite', { ...invitation });
  }

  respondToNotification(
    notificationId: string,
    action: 'accept' | 'decline',
    language?: ArenaLanguage,
  ): Promise<ArenaResponses['notification:respond']> {
    return this.call('notification:respond', {
      notificationId,
      action,
      ...(language ? { language } : {}),
    });
  }

  /** Joins a chat channel (re-joined after every reconnect until leaveChannel). */
  async joinChannel(channel: string, battleId?: string): Promise<{ channel: string }> {
    const data = battleId ? { channel, battleId } : { channel };
    const response = await this.call('chat:join', data, 'subscribe');
    this.channels.set(response.channel ?? channel, {
      ...data,
      channel: response.channel ?? channel,
    });
    return response;
  }

  async leaveChannel(channel: string): Promise<ArenaResponses['chat:leave']> {
    this.channels.delete(channel);
    return this.call('chat:leave', { channel }, 'unsubscribe');
  }

  /** Sends a chat message to a joined channel; everyone in it gets 'chat:message'. */
  sendChat(
    channel: string,
    message: string,
    replyTo?: string,
  ): Promise<ArenaResponses['chat:send']> {
    return this.call('chat:send', { channel, message, ...(replyTo ? { replyTo } : {}) });
  }

  startTeamPractice(
    practice: ArenaRequests['team:practice_start'],
  ): Promise<ArenaResponses['team:practice_start']> {
    return this.call('team:practice_start', { ...practice });
  }

  shareCode(share: ArenaRequests['team:share_code']): Promise<ArenaResponses['team:share_code']> {
    return this.call('team:share_code', { ...share });
  }

  /** Round trip to the server: `{serverTime}`, plus the measured latency in ms. */
  async ping(): Promise<{ serverTime: string; latencyMs: number }> {
    const started = Date.now();
    const response = await this.call('system:ping', {});
    return { ...response, latencyMs: Date.now() - started };
  }

  /** The channels this client has joined (and will re-join). */
  get joinedChannels(): string[] {
    return [...this.channels.keys()];
  }

  protected onMessage(message: Record<string, unknown>): void {
    const envelope = message as unknown as ArenaEnvelope;
    const id = envelope.id;
    if (envelope.type === 'response' && typeof id === 'string' && this.requests.has(id)) {
      this.requests.resolve(id, envelope.data);
      return;
    }
    if (envelope.type === 'error') {
      const error = new ArenaRequestError(
        envelope.error?.code ?? 'UNKNOWN',
        envelope.error?.message ?? 'unknown error',
        envelope.error?.details ?? {},
        id ?? null,
        typeof id === 'string' ? this.labels.get(id) : undefined,
      );
      if (typeof id === 'string' && this.requests.reject(id, error)) return;
      this.emit('error', error);
      return;
    }
    if (envelope.type !== 'event' || typeof envelope.event !== 'string') return;
    // Events carry a fresh id: drop one seen already.
    if (id !== null && id !== undefined) {
      if (this.recentEvents.has(id)) return;
      this.recentEvents.add(id);
      if (this.recentEvents.size > RECENT_EVENT_IDS) {
        this.recentEvents.delete(this.recentEvents.values().next().value!);
      }
    }
    this.track(envelope.event, envelope.data);
    // As the server sends it; an event this SDK does not know is passed on by name too.
    this.emit(envelope.event as ArenaEventName, envelope.data as never, envelope);
    this.emit('event', envelope.event, envelope.data, envelope);
  }

  /** Keeps what a reconnect must re-join in step with the events. */
  private track(event: string, data: unknown): void {
    if (event === 'battle:matched') {
      const matched = data as Partial<BattleMatched> | undefined;
      if (typeof matched?.battleId !== 'string') return;
      this.queued = null;
      this.battleId = matched.battleId;
    } else if (event === 'battle:ended') {
      const ended = data as Partial<BattleEnded> | undefined;
      if (ended?.battleId === this.battleId) this.battleId = null;
    }
  }

  private rejoin(): void {
    const report = (event: RejoinReport['event'], data: Record<string, unknown>) =>
      this.request(event, data, 'subscribe').then(
        (response) => {
          this.emit('rejoin', { event, data, response });
          return response as { status?: string };
        },
        (error: Error) => {
          this.emit('rejoin', { event, data, error });
          return null;
        },
      );
    for (const channel of this.channels.values()) void report('chat:join', { ...channel });
    if (this.battleId) {
      const battleId = this.battleId;
      void report('battle:join', { battleId }).then((response) => {
        // The battle ended while we were away.
        if (!response && this.battleId === battleId) this.battleId = null;
      });
    } else if (this.queued) {
      const queued = this.queued;
      this.request<{ status: string }>('battle:join', { ...queued }, 'subscribe').then(
        (response) => {
          if (response.status !== 'queued' && this.queued === queued) this.queued = null;
          this.emit('rejoin', { event: 'battle:join', data: { ...queued }, response });
        },
        (error: Error) => {
          if (this.queued === queued) this.queued = null;
          this.emit('rejoin', { event: 'battle:join', data: { ...queued }, error });
          // Matched just before the drop (battle:matched lost with it): go to the battle.
          const battleId = error instanceof ArenaRequestError ? error.details.battleId : undefined;
          if (
            error instanceof ArenaRequestError &&
            error.code === 'ALREADY_IN_BATTLE' &&
            typeof battleId === 'string'
          ) {
            this.battleId = battleId;
            void report('battle:join', { battleId });
          }
        },
      );
    }
  }
}
