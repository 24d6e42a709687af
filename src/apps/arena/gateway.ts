// The arena's WebSocket route, /v1. The token (`?token=` or `Authorization: Bearer`) is
// checked before the 101; without a valid one the socket still opens, gets one
// UNAUTHORIZED error and is closed with 4401, so browsers (which never see an HTTP
// status) learn why. Each request is answered by exactly one response or error that
// echoes its id; events may follow.
import type { ArenaResponses } from '../../protocols/arena.js';
import type { Member } from '../../broker/index.js';
import {
  RoomLimitError,
  TokenBucket,
  type Logger,
  type ServerConnection,
} from '../../websocket/index.js';
import type { AppContext, AuthenticatedUser } from '../types.js';
import type { BattleService } from './battle-service.js';
import type { ArenaChatService } from './chat.js';
import { ArenaError } from './errors.js';
import { ARENA_ROUTE, type Outbox } from './outbox.js';
import type { NotificationService } from './notifications.js';
import {
  encodeError,
  encodeResponse,
  parseData,
  parseEnvelope,
  REQUESTS,
  RequestError,
  type ParsedRequest,
  type Reply,
  type RequestData,
  type RequestEvent,
} from './protocol.js';
import type { RequestRate } from './rate-limit.js';
import type { TeamService } from './teams.js';

/** Close code after UNAUTHORIZED (4000-4999 are the application's; 4401 mirrors HTTP 401). */
export const CLOSE_UNAUTHORIZED = 4401;

export interface ArenaState {
  user: AuthenticatedUser | null;
  /** When the token expires (ms since the epoch), or null if it does not say. */
  expiresAt: number | null;
  bucket: TokenBucket | null;
  /** Chat channels this connection joined. */
  channels: Set<string>;
  /** The connection as request handlers see it (set once authenticated). */
  peer: ArenaPeer | null;
}

export interface ArenaServices {
  battles: BattleService;
  chat: ArenaChatService;
  notifications: NotificationService;
  teams: TeamService;
  outbox: Outbox;
}

type Connection = ServerConnection<ArenaState>;

/** Who sent a request: a /v1 connection, or a Socket.IO socket (socketio-gateway.ts). */
export interface ArenaPeer {
  /** Unique among the node's open peers (matchmaking keys a queued player by it). */
  readonly id: string;
  /** What the broker addresses for this peer. */
  readonly member: Member;
  /** Chat channels this peer joined. */
  readonly channels: Set<string>;
}

/** How a request ended: the response's event and data, or the protocol's error. */
export type Outcome =
  | { ok: true; event: string; data: unknown; after?: () => void | Promise<void> }
  | { ok: false; error: ArenaError };

/** Runs one request of a peer: data checked against its schema, then its handler. */
export type RequestRunner = (
  peer: ArenaPeer,
  user: AuthenticatedUser,
  event: RequestEvent,
  data: unknown,
) => Promise<Outcome>;

type Handler<E extends RequestEvent> = (
  peer: ArenaPeer,
  user: AuthenticatedUser,
  data: RequestData<E>,
) => Promise<Reply<ArenaResponses[E]>>;

export function createRequestRunner(services: ArenaServices, logger: Logger): RequestRunner {
  const handlers = requestHandlers(services);
  return async (peer, user, event, rawData) => {
    try {
      const data = parseData(event, rawData);
      const reply = await (handlers[event] as Handler<typeof event>)(peer, user, data);
      return { ok: true, event: REQUESTS[event].response, data: reply.data, after: reply.after };
    } catch (error) {
      if (error instanceof ArenaError) return { ok: false, error };
      logger.error({ err: error, event }, 'arena: request failed');
      return {
        ok: false,
        error: new ArenaError('INTERNAL_ERROR', 'The request could not be completed'),
      };
    }
  };
}

/** Runs a reply's follow-up (events that must come after the response). */
export async function runAfter(outcome: Outcome, logger: Logger, event: string): Promise<void> {
  if (!outcome.ok || !outcome.after) return;
  try {
    await outcome.after();
  } catch (error) {
    logger.error({ err: error, event }, 'arena: follow-up of a request failed');
  }
}

export function registerArenaGateway(
  context: AppContext,
  services: ArenaServices,
  requestRate: RequestRate,
  run: RequestRunner = createRequestRunner(services, context.logger),
): void {
  const { server, auth, logger } = context;

  server.route<ArenaState>(ARENA_ROUTE, {
    initialState: () => ({
      user: null,
      expiresAt: null,
      bucket: null,
      channels: new Set(),
      peer: null,
    }),
    // A browser may send its token as a subprotocol: echo one (RFC 6455).
    selectProtocol: auth.selectProtocol,
    async onConnect(connection, request) {
      const identity = await auth.userOf(request);
      if (!identity) {
        // Queued behind the 101: the client reads the reason, then the close.
        connection.send(
          encodeError(null, new ArenaError('UNAUTHORIZED', 'Missing, invalid or expired token')),
        );
        connection.close(CLOSE_UNAUTHORIZED, 'unauthorized');
        return;
      }
      const { user } = identity;
      connection.state.user = user;
      connection.state.expiresAt = identity.expiresAt;
      connection.state.bucket = new TokenBucket(requestRate.perSecond, requestRate.burst);
      connection.state.peer = {
        id: connection.id,
        member: connection as ServerConnection<unknown>,
        channels: connection.state.channels,
      };
      // The user's before the 101: nothing sent to the user from now on is missed.
      services.outbox.connected(connection as ServerConnection<unknown>, user.id);
      await services.notifications.deliverPending(user.id);
    },
    onMessage(connection, data, isBinary) {
      const state = connection.state;
      const user = state.user;
      if (!user) return;
      let request: ParsedRequest | null = null;
      let invalid: RequestError | null = null;
      if (isBinary) {
        invalid = new RequestError(null, 'VALIDATION_ERROR', 'Binary messages are not supported');
      } else {
        try {
          request = parseEnvelope(data.toString());
        } catch (error) {
          if (!(error instanceof RequestError)) throw error;
          invalid = error;
        }
      }
      const requestId = request?.id ?? invalid?.requestId ?? null;
      if (!state.bucket!.take()) {
        const limited = new ArenaError('RATE_LIMITED', 'Too many requests', {
          retryAfterMs: state.bucket!.retryAfterMs(),
        });
        connection.send(encodeError(requestId, limited));
        return;
      }
      if (invalid) {
        if (server.reportInvalid(connection as ServerConnection<unknown>))
          connection.send(encodeError(requestId, invalid));
        return;
      }
      if (state.expiresAt !== null && Date.now() >= state.expiresAt) {
        connection.send(
          encodeError(requestId, new ArenaError('UNAUTHORIZED', 'The token has expired')),
        );
        connection.close(CLOSE_UNAUTHORIZED, 'token expired');
        return;
      }
      void handle(connection, user, request!);
    },
    onClose(connection) {
      const user = connection.state.user;
      if (user) services.battles.connectionClosed(connection.id, user.id);
    },
    // The protocol's own limit (RATE_LIMITED, echoing the id) applies first; this is the
    // engine's backstop for a client that ignores it: past it the socket is closed (1008).
    rateLimit: { messagesPerSecond: 200, burst: 400, onExceeded: 'close' },
  });

  async function handle(connection: Connection, user: AuthenticatedUser, request: ParsedRequest) {
    const outcome = await run(connection.state.peer!, user, request.event, request.data);
    if (!outcome.ok) {
      if (outcome.error.code === 'VALIDATION_ERROR') {
        if (!server.reportInvalid(connection as ServerConnection<unknown>)) return;
      }
      if (connection.isOpen) connection.send(encodeError(request.id, outcome.error));
      return;
    }
    if (connection.isOpen) connection.send(encodeResponse(request.id, outcome.event, outcome.data));
    await runAfter(outcome, logger, request.event);
  }
}

function requestHandlers(services: ArenaServices): { [E in RequestEvent]: Handler<E> } {
  const { battles, chat, teams, outbox } = services;
  return {
    'system:ping': async () => ({ data: { serverTime: new Date().toISOString() } }),
    'battle:join': async (peer, user, data) => {
      if (data.battleId !== undefined)
        return battles.joinBattle(user, data.battleId, data.language);
      if (data.difficulty === undefined) {
        throw new ArenaError('VALIDATION_ERROR', 'Invalid data for battle:join', {
          issues: [{ path: 'difficulty', message: 'difficulty (or battleId) is required' }],
        });
      }
      return battles.joinQueue(user, peer.id, {
        difficulty: data.difficulty,
        language: data.language ?? 'python',
        mode: data.mode ?? 'quick-battle',
      });
    },
    'battle:leave': async (_connection, user, data) => {
      if (data.battleId !== undefined) return battles.leaveBattle(user, data.battleId);
      return { data: { status: battles.leaveQueue(user.id) ? 'left_queue' : 'not_queued' } };
    },
    'battle:submit': async (_connection, user, data) => battles.submit(user, data),
    'battle:invite': async (_connection, user, data) =>
      battles.invite(user, {
        username: data.username,
        difficulty: data.difficulty,
        language: data.language ?? 'python',
        mode: data.mode ?? 'quick-battle',
      }),
    'notification:respond': async (_connection, user, data) => battles.respond(user, data),
    'chat:join': async (peer, user, data) => {
      const channel = chat.channelFor(data);
      await chat.authorize(user, channel);
      try {
        outbox.joinChannel(peer.member, channel);
      } catch (error) {
        if (error instanceof RoomLimitError)
          throw new ArenaError('VALIDATION_ERROR', 'This connection joined too many channels', {});
        throw error;
      }
      peer.channels.add(channel);
      return { data: { channel } };
    },
    'chat:leave': async (peer, _user, data) => {
      const joined = peer.channels.delete(data.channel);
      outbox.leaveChannel(peer.member, data.channel);
      return { data: { channel: data.channel, status: joined ? 'left' : 'not_joined' } };
    },
    'chat:send': async (peer, user, data) => {
      if (!peer.channels.has(data.channel)) {
        throw new ArenaError('NOT_JOINED', 'Join the channel (chat:join) before sending to it', {
          channel: data.channel,
        });
      }
      return { data: await chat.send(user, data) };
    },
    'team:practice_start': async (_connection, user, data) => ({
      data: await teams.startPractice(user, data),
    }),
    'team:share_code': async (_connection, user, data) => ({
      data: await teams.shareCode(user, data),
    }),
  };
}
