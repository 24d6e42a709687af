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

export type Difficulty = 'easy' | 'medium' | 'hard';
export type ArenaLanguage = 'python' | 'javascript';
export type BattleMode = 'quick-battle' | 'ranked' | 'practice';

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

/** Loose shapes of the main events (the server may add fields). */
export interface BattleMatched {
  battleId: string;
  opponent: { userId?: string; username: string; rating: number };
  problem: { id: string; title: string; difficulty: Difficulty; [key: string]: unknown };
  timeLimit: number;
  [key: string]: unknown;
}

export interface ExecutionResult {
  battleId: string;
  testsPassed: number;
  totalTests: number;
  executionTime: number;
  memoryUsed: number;
  errors: unknown[];
  [key: string]: unknown;
}

export interface BattleEnded {
  battleId: string;
  winner: string | null;
  results: Record<string, { score: number; time: number | null }>;
  [key: string]: unknown;
}

export interface ChatMessageEvent {
  channel: string;
  messageId: string;
  userId: string;
  username: string;
  message: string;
  timestamp: string;
  [key: string]: unknown;
}

/** Data of an event the types below do not name. */
type AnyData = Record<string, unknown>;

export interface RejoinReport {
  event: 'chat:join' | 'battle:join';
  data: Record<string, unknown>;
  response?: unknown;
  error?: Error;
}

export interface ArenaEvents {
  'battle:matched': [data: BattleMatched, message: ArenaEnvelope];
  'battle:submission': [data: AnyData, message: ArenaEnvelope];
  'battle:execution_result': [data: ExecutionResult, message: ArenaEnvelope];
  'battle:ended': [data: BattleEnded, message: ArenaEnvelope];
  'chat:message': [data: ChatMessageEvent, message: ArenaEnvelope];
  'notification:system': [data: AnyData, message: ArenaEnvelope];
  'notification:user': [data: AnyData, message: ArenaEnvelope];
  'team:member_joined': [data: AnyData, message: ArenaEnvelope];
  'team:practice_started': [data: AnyData, message: ArenaEnvelope];
  'team:code_shared': [data: AnyData, message: ArenaEnvelope];
  /** Every server event, whatever its name. */
  event: [name: string, data: unknown, message: ArenaEnvelope];
  /** An error that answers no request of this client (e.g. UNAUTHORIZED on connect). */
  error: [error: ArenaRequestError];
  /** A re-join after a reconnect (see the top comment). */
  rejoin: [report: RejoinReport];
}

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
    const response = await this.request<{ status: string; [key: string]: unknown }>(
      'battle:join',
      { ...options },
      'subscribe',
    );
    if ('difficulty' in options && response.status === 'queued') this.queued = { ...options };
    if ('battleId' in options && response.status !== 'pending') this.battleId = options.battleId;
    return response;
  }

  /** Leaves the queue (no battleId) or gives up / cancels a battle. */
  async leaveBattle(battleId?: string): Promise<unknown> {
    const response = await this.request(
      'battle:leave',
      battleId ? { battleId } : {},
      'unsubscribe',
    );
    if (!battleId) this.queued = null;
    return response;
  }

  /** Submits code to the current battle (or `battleId`); the verdict comes as 'battle:execution_result'. */
  submit(submission: {
    code: string;
    language: ArenaLanguage;
    battleId?: string;
  }): Promise<unknown> {
    const battleId = submission.battleId ?? this.battleId;
    if (!battleId) {
      return Promise.reject(new RingsideClientError('submit: no battle (pass battleId)'));
    }
    return this.request('battle:submit', { ...submission, battleId });
  }

  invite(invitation: {
    username: string;
    difficulty: Difficulty;
    language?: ArenaLanguage;
    mode?: BattleMode;
  }): Promise<unknown> {
    return this.request('battle:invite', { ...invitation });
  }

  respondToNotification(
    notificationId: string,
    action: 'accept' | 'decline',
    language?: ArenaLanguage,
  ): Promise<unknown> {
    return this.request('notification:respond', {
      notificationId,
      action,
      ...(language ? { language } : {}),
    });
  }

  /** Joins a chat channel (re-joined after every reconnect until leaveChannel). */
  async joinChannel(channel: string, battleId?: string): Promise<{ channel: string }> {
    const data = battleId ? { channel, battleId } : { channel };
    const response = await this.request<{ channel: string }>('chat:join', data, 'subscribe');
    this.channels.set(response.channel ?? channel, {
      ...data,
      channel: response.channel ?? channel,
    });
    return response;
  }

  async leaveChannel(channel: string): Promise<unknown> {
    this.channels.delete(channel);
    return this.request('chat:leave', { channel }, 'unsubscribe');
  }

  /** Sends a chat message to a joined channel; everyone in it gets 'chat:message'. */
  sendChat(channel: string, message: string, replyTo?: string): Promise<unknown> {
    return this.request('chat:send', { channel, message, ...(replyTo ? { replyTo } : {}) });
  }

  startTeamPractice(practice: {
    teamId: string;
    topic: string;
    participants?: string[];
  }): Promise<unknown> {
    return this.request('team:practice_start', { ...practice });
  }

  shareCode(share: {
    teamId: string;
    problemId: string;
    code: string;
    language: ArenaLanguage;
    note?: string;
  }): Promise<unknown> {
    return this.request('team:share_code', { ...share });
  }

  /** Round trip to the server: `{serverTime}`, plus the measured latency in ms. */
  async ping(): Promise<{ serverTime: string; latencyMs: number }> {
    const started = Date.now();
    const response = await this.request<{ serverTime: string }>('system:ping');
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
    this.track(envelope.event, envelope.data as AnyData);
    this.emit(envelope.event as 'battle:submission', envelope.data as AnyData, envelope);
    this.emit('event', envelope.event, envelope.data, envelope);
  }

  /** Keeps what a reconnect must re-join in step with the events. */
  private track(event: string, data: AnyData | undefined): void {
    if (event === 'battle:matched' && typeof data?.battleId === 'string') {
      this.queued = null;
      this.battleId = data.battleId;
    } else if (event === 'battle:ended' && data?.battleId === this.battleId) {
      this.battleId = null;
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
