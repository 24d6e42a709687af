// The collab WebSocket route, /ws/<sessionId>: turns socket messages into calls on the
// session and the results into events for the session's room.
import type { Broker, LocalConnection } from '../../broker/index.js';
import {
  UpgradeRejection,
  type ServerConnection,
  type WebSocketServer,
} from '../../websocket/index.js';
import type { AppContext, AuthenticatedUser } from '../types.js';
import { CollabError, type AcceptedChange, type LiveSession } from './live-session.js';
import {
  encode,
  ERRORS,
  errorEvent,
  parseClientMessage,
  type ClientEvent,
  type ServerEvent,
} from './protocol.js';
import type { CollabService } from './service.js';

export const COLLAB_ROUTE = '/ws/:sessionId';

interface CollabState {
  session: LiveSession | null;
  /** Set when the upgrade carried a valid token: the identity join-session uses. */
  user: AuthenticatedUser | null;
}

export function registerCollabGateway(context: AppContext, service: CollabService): void {
  const { server, auth, broker } = context;
  // A session lives in this node's memory while a connection here edits it.
  service.isInUse = (sessionId) => broker.hasLocalMembers(sessionId);

  server.route<CollabState>(COLLAB_ROUTE, {
    initialState: () => ({ session: null, user: null }),
    // A browser may send its token as a subprotocol: echo one (RFC 6455).
    selectProtocol: auth.selectProtocol,
    async onConnect(connection, request) {
      // No account is needed (spec 001); a token, when given, must be valid and then
      // fixes who this connection is.
      if (auth.hasToken(request)) {
        const identity = await auth.userOf(request);
        if (!identity) throw new UpgradeRejection(401, 'Invalid or expired token');
        connection.state.user = identity.user;
      }
      const session = await service.open(request.params.sessionId!);
      if (!session) throw new UpgradeRejection(404, 'Session not found');
      connection.state.session = session;
      broker.join(connection as LocalConnection, session.id);
    },
    onMessage(connection, data, isBinary) {
      const session = connection.state.session!;
      if (isBinary) return invalid(server, connection, ERRORS.binary);
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) return invalid(server, connection, parsed.message);
      handle(broker, service, connection, session, parsed.event);
    },
    onClose(connection) {
      const session = connection.state.session;
      if (!session) return;
      const gone = session.leave(connection.id);
      if (gone !== null)
        publish(broker, session, { type: 'participant-left', payload: { userId: gone } });
      service.released(session.id);
    },
    rateLimit: { messagesPerSecond: 60, burst: 120, onExceeded: 'error' },
    onRateLimited: (connection) => connection.send(errorEvent(ERRORS.rateLimited)),
  });
}

function handle(
  broker: Broker,
  service: CollabService,
  connection: ServerConnection<CollabState>,
  session: LiveSession,
  event: ClientEvent,
): void {
  if (event.type === 'join-session') {
    const user = connection.state.user ?? {
      id: event.payload.userId,
      username: event.payload.username,
    };
    const { newUser, left } = session.join(connection.id, user.id, user.username);
    if (left !== null)
      publish(broker, session, { type: 'participant-left', payload: { userId: left } }, connection);
    if (newUser) {
      publish(
        broker,
        session,
        { type: 'participant-joined', payload: { userId: user.id, username: user.username } },
        connection,
      );
    }
    connection.send(stateEvent(session));
    return;
  }
  const member = session.userOf(connection.id);
  if (!member) {
    connection.send(errorEvent(ERRORS.notJoined));
    return;
  }
  // The identity is the one this connection joined as, whatever userId a payload names.
  const { userId } = member;
  switch (event.type) {
    case 'leave-session': {
      const gone = session.leave(connection.id);
      if (gone !== null)
        publish(
          broker,
          session,
          { type: 'participant-left', payload: { userId: gone } },
          connection,
        );
      return;
    }
    case 'code-change': {
      const { changes, version, clientID = connection.id } = event.payload;
      let accepted: AcceptedChange;
      try {
        accepted =
          typeof changes === 'string'
            ? session.applyFullText(userId, clientID, changes, version)
            : session.applyChangesJson(userId, clientID, version!, changes);
      } catch (error) {
        if (!(error instanceof CollabError)) throw error;
        connection.send(errorEvent(error.message));
        if (error.resync) connection.send(stateEvent(session));
        return;
      }
      service.changed(session);
      const json = accepted.changes.toJSON() as never;
      publish(
        broker,
        session,
        {
          type: 'code-update',
          payload: {
            userId,
            code: accepted.code,
            version: accepted.version,
            changes: json,
            clientID: accepted.clientID,
          },
        },
        connection,
      );
      // A client that sent a version tracks versions: tell it where its change landed.
      if (version !== undefined) {
        connection.send(
          encode({
            type: 'code-ack',
            payload: { version: accepted.version, clientID, changes: json },
          }),
        );
      }
      return;
    }
    case 'cursor-move':
      session.setCursor(userId, event.payload.cursor);
      publish(
        broker,
        session,
        { type: 'cursor-update', payload: { userId, cursor: event.payload.cursor } },
        connection,
      );
      return;
    case 'language-change':
      if (session.language !== event.payload.language) {
        session.language = event.payload.language;
        service.changed(session);
      }
      publish(
        broker,
        session,
        { type: 'language-updated', payload: { userId, language: event.payload.language } },
        connection,
      );
      return;
    case 'execute-code':
      publish(
        broker,
        session,
        { type: 'execute-code', payload: { ...event.payload, userId } },
        connection,
      );
      return;
    case 'execution-result':
      session.lastExecution = { userId, ...event.payload };
      // Everyone, the runner included: it is the session's shared result.
      publish(broker, session, { type: 'execution-result', payload: { ...event.payload, userId } });
      return;
  }
}

function stateEvent(session: LiveSession): string {
  return encode({
    type: 'session-state',
    payload: {
      sessionId: session.id,
      code: session.code,
      language: session.language,
      version: session.version,
      participants: session.participantList(),
      lastExecution: session.lastExecution,
    },
  });
}

function publish(
  broker: Broker,
  session: LiveSession,
  event: ServerEvent,
  except?: ServerConnection<CollabState>,
): void {
  broker.publish(session.id, encode(event), { except: except as LocalConnection | undefined });
}

function invalid(
  server: WebSocketServer,
  connection: ServerConnection<CollabState>,
  message: string,
): void {
  if (server.reportInvalid(connection as ServerConnection<unknown>))
    connection.send(errorEvent(message));
}
