// The chat WebSocket route, /ws/chat/<host>/<room>/: a valid token, an existing room
// and participation are checked before the upgrade (401, 404, 403). Each message is
// stored, then sent to everyone in the room (the sender too), one at a time per room.
// When the token expires the connection gets {"error": "Token expired."} and is closed
// with 4401 (as the arena's), whether it is sending or only reading.
import type { Broker, LocalConnection } from '../../broker/index.js';
import {
  UpgradeRejection,
  type ServerConnection,
  type WebSocketServer,
} from '../../websocket/index.js';
import type { AppContext, AuthenticatedUser } from '../types.js';
import {
  encodeError,
  encodeEvent,
  ERRORS,
  parseClientMessage,
  type ClientMessage,
} from './protocol.js';
import type { KeyedQueue } from '../keyed-queue.js';
import { ChatError, type ChatService } from './service.js';
import type { RoomRecord } from './store.js';

// The spec's address ends in a slash; its own frontend builds it without one.
export const CHAT_ROUTES = ['/ws/chat/:host/:room/', '/ws/chat/:host/:room'];

/** Close code for an expired token (4000-4999 are the application's; 4401 mirrors HTTP 401). */
export const CLOSE_TOKEN_EXPIRED = 4401;
export const TOKEN_EXPIRED = 'Token expired.';
// setTimeout's longest delay (about 24.8 days); a later expiry is re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ChatState {
  user: AuthenticatedUser | null;
  room: RoomRecord | null;
  /** When the token ends (ms since the epoch), null if it does not say. */
  expiresAt: number | null;
  expiryTimer: NodeJS.Timeout | null;
}

export function registerChatGateway(
  context: AppContext,
  service: ChatService,
  queue: KeyedQueue,
): void {
  const { server, auth, logger, broker } = context;
  for (const pattern of CHAT_ROUTES) {
    server.route<ChatState>(pattern, {
      initialState: () => ({ user: null, room: null, expiresAt: null, expiryTimer: null }),
      // A browser may send its token as a subprotocol: echo one (RFC 6455).
      selectProtocol: auth.selectProtocol,
      async onConnect(connection, request) {
        const identity = await auth.userOf(request);
        if (!identity) throw new UpgradeRejection(401, 'Authentication required');
        const { user } = identity;
        try {
          connection.state.room = await service.authorize(
            user,
            request.params.host!,
            request.params.room!,
          );
        } catch (error) {
          if (error instanceof ChatError) throw new UpgradeRejection(error.status, error.message);
          throw error;
        }
        connection.state.user = user;
        connection.state.expiresAt = identity.expiresAt;
        broker.join(connection as LocalConnection, connection.state.room.id);
        // Armed before the 101; if the upgrade fails after this, the unref'd timer
        // finds the connection not open and does nothing.
        armExpiry(connection);
      },
      onClose(connection) {
        if (connection.state.expiryTimer) clearTimeout(connection.state.expiryTimer);
      },
      onMessage(connection, data, isBinary) {
        // A timer can fire late; nothing is accepted past the token's end either way.
        if (expired(connection)) return closeExpired(connection);
        if (isBinary) return invalid(server, connection, ERRORS.binary);
        const parsed = parseClientMessage(data.toString());
        if (!parsed.ok) return invalid(server, connection, parsed.error);
        const room = connection.state.room!;
        // Queued at once, in arrival order; stored, then published, one by one.
        void queue
          .run(room.id, () => act(broker, service, connection, parsed.message))
          .catch((error: unknown) => {
            logger.error({ err: error, room: room.id }, 'chat message failed');
            if (connection.isOpen) connection.send(encodeError('Message could not be processed.'));
          });
      },
      // Real rooms see bursts (a paste split in lines, a reconnect flush): 30 at once,
      // 10 a second after that; past it the message is dropped with an error, not the socket.
      rateLimit: { messagesPerSecond: 10, burst: 30, onExceeded: 'error' },
      onRateLimited: (connection) => connection.send(encodeError(ERRORS.rateLimited)),
    });
  }
}

async function act(
  broker: Broker,
  service: ChatService,
  connection: ServerConnection<ChatState>,
  message: ClientMessage,
): Promise<void> {
  const user = connection.state.user!;
  const room = connection.state.room!;
  try {
    const event =
      message.type === 'text'
        ? await service.post(user, room, message.message)
        : message.type === 'update'
          ? await service.edit(user, room, message.messageId, message.message)
          : await service.remove(user, room, message.messageId);
    broker.publish(room.id, encodeEvent(event));
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    if (connection.isOpen) connection.send(encodeError(error.message));
  }
}

function expired(connection: ServerConnection<ChatState>): boolean {
  const { expiresAt } = connection.state;
  return expiresAt !== null && Date.now() >= expiresAt;
}

function closeExpired(connection: ServerConnection<ChatState>): void {
  if (!connection.isOpen) return;
  connection.send(encodeError(TOKEN_EXPIRED));
  connection.close(CLOSE_TOKEN_EXPIRED, 'token expired');
}

function armExpiry(connection: ServerConnection<ChatState>): void {
  const { expiresAt } = connection.state;
  if (expiresAt === null) return;
  const delay = Math.max(0, expiresAt - Date.now());
  const timer = setTimeout(
    () => (expired(connection) ? closeExpired(connection) : armExpiry(connection)),
    Math.min(delay, MAX_TIMER_MS),
  );
  timer.unref();
  connection.state.expiryTimer = timer;
}

function invalid(
  server: WebSocketServer,
  connection: ServerConnection<ChatState>,
  error: string,
): void {
  if (server.reportInvalid(connection as ServerConnection<unknown>))
    connection.send(encodeError(error));
}
