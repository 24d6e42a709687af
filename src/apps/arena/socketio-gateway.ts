// The arena over Socket.IO, at /socket.io/ on the server's port (polling and WebSocket):
// the main namespace speaks the arena protocol. `io(url, { auth: { token } })`
// authenticates (a bad token is a connect_error with the UNAUTHORIZED message), a
// request is `socket.emit(event, data, ack)` and the ack gets the envelope /v1 would
// send without its id (`{type: 'response', event, success, data, timestamp}` or
// `{type: 'error', error: {code, message, details}, timestamp}`), and server events
// arrive by name (`socket.on('battle:matched', data)`). Each socket is a sink of the
// arena's broker, so whatever is sent to a user reaches their Socket.IO sockets too.
import type { Message, MessageSink } from '../../broker/index.js';
import { TokenBucket } from '../../websocket/index.js';
import {
  ConnectRefusal,
  EngineIoServer,
  SocketIoServer,
  type EngineServerOptions,
  type Socket,
  type SocketHandshake,
} from '../../socketio/index.js';
import type { RequestLike } from '../../auth/identity.js';
import type { AppContext, AuthenticatedUser } from '../types.js';
import { ArenaError } from './errors.js';
import { runAfter, type ArenaPeer, type ArenaServices, type RequestRunner } from './gateway.js';
import { encodeError, encodeResponse, REQUESTS, type RequestEvent } from './protocol.js';
import type { RequestRate } from './rate-limit.js';

export const ARENA_SOCKETIO_PATH = '/socket.io/';

/** Invalid requests a socket may send per window before it is disconnected. */
const INVALID_BUDGET = { max: 20, windowMs: 10_000 };

type AnswerShape = Record<string, unknown>;

export function registerArenaSocketIo(
  context: AppContext,
  services: ArenaServices,
  requestRate: RequestRate,
  run: RequestRunner,
  engineOptions: EngineServerOptions = {},
): SocketIoServer {
  const { auth, logger } = context;
  const engine = new EngineIoServer(context.server, context.http.server, {
    path: ARENA_SOCKETIO_PATH,
    // As on /v1: the protocol's own limit (RATE_LIMITED through the ack) applies first;
    // this is the engine's backstop for a WebSocket client that ignores it.
    rateLimit: { messagesPerSecond: 200, burst: 400, onExceeded: 'close' },
    ...engineOptions,
  });
  const io = new SocketIoServer(engine, { logger });
  const arena = io.of('/');

  arena.use(async (socket) => {
    const identity = await auth.userOf(requestOf(socket.handshake));
    if (!identity) {
      throw new ConnectRefusal('Missing, invalid or expired token', { code: 'UNAUTHORIZED' });
    }
    socket.data.identity = identity;
  });

  arena.onConnection((socket) => {
    const { user, expiresAt } = socket.data.identity as {
      user: AuthenticatedUser;
      expiresAt: number | null;
    };
    const sink: MessageSink = { deliver: (message) => deliverEvent(socket, message) };
    const peer: ArenaPeer = { id: `sio-${socket.id}`, member: sink, channels: new Set() };
    const bucket = new TokenBucket(requestRate.perSecond, requestRate.burst);
    const invalid = { count: 0, windowStart: Date.now() };
    services.outbox.connected(sink, user.id);
    services.notifications.deliverPending(user.id).catch((error: unknown) => {
      logger.error({ err: error }, 'arena: pending notifications failed (socket.io)');
    });
    socket.onDisconnect(() => {
      services.outbox.disconnected(sink);
      services.battles.connectionClosed(peer.id, user.id);
    });

    /** Counts an invalid request; false once the socket was disconnected for it. */
    const reportInvalid = (): boolean => {
      const now = Date.now();
      if (now - invalid.windowStart > INVALID_BUDGET.windowMs) {
        invalid.windowStart = now;
        invalid.count = 0;
      }
      if (++invalid.count <= INVALID_BUDGET.max) return true;
      socket.disconnect();
      return false;
    };

    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : null;
      const answer = ack ?? (() => {});
      if (!bucket.take()) {
        const limited = new ArenaError('RATE_LIMITED', 'Too many requests', {
          retryAfterMs: bucket.retryAfterMs(),
        });
        return answer(errorShape(limited));
      }
      if (!Object.hasOwn(REQUESTS, event)) {
        if (reportInvalid())
          answer(
            errorShape(new ArenaError('UNKNOWN_EVENT', `Unknown event "${event}"`, { event })),
          );
        return;
      }
      if (expiresAt !== null && Date.now() >= expiresAt) {
        answer(errorShape(new ArenaError('UNAUTHORIZED', 'The token has expired')));
        socket.disconnect();
        return;
      }
      void handle(event as RequestEvent, args[0] ?? {}, answer);
    });

    async function handle(event: RequestEvent, data: unknown, answer: Ack): Promise<void> {
      const outcome = await run(peer, user, event, data);
      if (!outcome.ok) {
        if (outcome.error.code === 'VALIDATION_ERROR' && !reportInvalid()) return;
        answer(errorShape(outcome.error));
        return;
      }
      answer(withoutId(encodeResponse(null, outcome.event, outcome.data)));
      await runAfter(outcome, logger, event);
    }
  });

  return io;
}

type Ack = (...args: unknown[]) => void;

/** An arena envelope (as the outbox encodes it) as a named Socket.IO event. */
function deliverEvent(socket: Socket, message: Message): void {
  if (typeof message !== 'string') return;
  const envelope = JSON.parse(message) as { type?: string; event?: string; data?: unknown };
  if (envelope.type === 'event' && typeof envelope.event === 'string')
    socket.emit(envelope.event, envelope.data);
}

function errorShape(error: ArenaError): AnswerShape {
  return withoutId(encodeError(null, error));
}

/** The /v1 envelope, whose id the ack makes needless. */
function withoutId(encoded: string): AnswerShape {
  const answer = JSON.parse(encoded) as AnswerShape;
  delete answer.id;
  return answer;
}

/**
 * The token of a CONNECT: `auth.token` when given, else the handshake request's own
 * (`?token=` or `Authorization: Bearer`).
 */
function requestOf(handshake: SocketHandshake): RequestLike {
  const token = handshake.auth.token;
  if (token !== undefined)
    return {
      url: `/?token=${encodeURIComponent(typeof token === 'string' ? token : '')}`,
      headers: {},
    };
  return { url: `/?${handshake.query.toString()}`, headers: handshake.headers };
}
