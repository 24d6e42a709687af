// The arena's WebSocket route, /v1. The token (`?token=` or `Authorization: Bearer`) is
// checked before the 101; without a valid one the socket still opens, gets one
// UNAUTHORIZED error and is closed with 4401, so browsers (which never see an HTTP
// status) learn why. Each request is answered by exactly one response or error that
// echoes its id; events may follow.
import { RoomLimitError, TokenBucket, type ServerConnection } from '../../websocket/index.js';
import type { ArenaResponses } from '../../protocols/arena.js';
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
}

export interface ArenaServices {
  battles: BattleService;
  chat: ArenaChatService;
  notifications: NotificationService;
  teams: TeamService;
  outbox: Outbox;
}

type Connection = ServerConnection<ArenaState>;
type Handler<E extends RequestEvent> = (
  connection: Connection,
  user: AuthenticatedUser,
  data: RequestData<E>,
) => Promise<Reply<ArenaResponses[E]>>;

export function registerArenaGateway(
  context: AppContext,
  services: ArenaServices,
  requestRate: RequestRate,
): void {
  const { server, auth, logger } = context;
  const handlers = requestHandlers(services);

  server.route<ArenaState>(ARENA_ROUTE, {
    initialState: () => ({ user: null, expiresAt: null, bucket: null, channels: new Set() }),
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
    let reply: Reply;
    try {
      const data = parseData(request.event, request.data);
      reply = await (handlers[request.event] as Handler<typeof request.event>)(
        connection,
        user,
        data,
      );
    } catch (error) {
      if (!(error instanceof ArenaError)) {
        logger.error({ err: error, event: request.event }, 'arena: request failed');
        error = new ArenaError('INTERNAL_ERROR', 'The request could not be completed');
      } else if (error.code === 'VALIDATION_ERROR') {
        if (!server.reportInvalid(connection as ServerConnection<unknown>)) return;
      }
      if (connection.isOpen) connection.send(encodeError(request.id, error as ArenaError));
      return;
    }
    if (connection.isOpen)
      connection.send(encodeResponse(request.id, REQUESTS[request.event].response, reply.data));
    if (reply.after) {
      try {
        await reply.after();
      } catch (error) {
        logger.error({ err: error, event: request.event }, 'arena: follow-up of a request failed');
      }
    }
  }
}

function requestHandlers(services: ArenaServices): { [E in RequestEvent]: Handler<E> } {
  const { battles, chat, teams, outbox } = services;
  return {
    'system:ping': async () => ({ data: { serverTime: new Date().toISOString() } }),
    'battle:join': async (connection, user, data) => {
      if (data.battleId !== undefined)
        return battles.joinBattle(user, data.battleId, data.language);
      if (data.difficulty === undefined) {
        throw new ArenaError('VALIDATION_ERROR', 'Invalid data for battle:join', {
          issues: [{ path: 'difficulty', message: 'difficulty (or battleId) is required' }],
        });
      }
      return battles.joinQueue(user, connection.id, {
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
    'chat:join': async (connection, user, data) => {
      const channel = chat.channelFor(data);
      await chat.authorize(user, channel);
      try {
        outbox.joinChannel(connection as ServerConnection<unknown>, channel);
      } catch (error) {
        if (error instanceof RoomLimitError)
          throw new ArenaError('VALIDATION_ERROR', 'This connection joined too many channels', {});
        throw error;
      }
      connection.state.channels.add(channel);
      return { data: { channel } };
    },
    'chat:leave': async (connection, _user, data) => {
      const joined = connection.state.channels.delete(data.channel);
      outbox.leaveChannel(connection as ServerConnection<unknown>, data.channel);
      return { data: { channel: data.channel, status: joined ? 'left' : 'not_joined' } };
    },
    'chat:send': async (connection, user, data) => {
      if (!connection.state.channels.has(data.channel)) {
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
