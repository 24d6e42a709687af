// The chat WebSocket route, /ws/chat/<host>/<room>/: a valid token, an existing room
// and participation are checked before the upgrade (401, 404, 403). Each message is
// stored, then sent to everyone in the room (the sender too), one at a time per room.
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

interface ChatState {
  user: AuthenticatedUser | null;
  room: RoomRecord | null;
}

export function registerChatGateway(
  context: AppContext,
  service: ChatService,
  queue: KeyedQueue,
): void {
  const { server, auth, logger, broker } = context;
  for (const pattern of CHAT_ROUTES) {
    server.route<ChatState>(pattern, {
      initialState: () => ({ user: null, room: null }),
      // A browser may send its token as a subprotocol: echo one (RFC 6455).
      selectProtocol: auth.selectProtocol,
      async onConnect(connection, request) {
        const user = (await auth.userOf(request))?.user;
        if (!user) throw new UpgradeRejection(401, 'Authentication required');
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
        broker.join(connection as LocalConnection, connection.state.room.id);
      },
      onMessage(connection, data, isBinary) {
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

function invalid(
  server: WebSocketServer,
  connection: ServerConnection<ChatState>,
  error: string,
): void {
  if (server.reportInvalid(connection as ServerConnection<unknown>))
    connection.send(encodeError(error));
}
