// The collab protocol (spec 001, /ws/<sessionId>): one shared document per session.
// The client joins the session on every (re)connection (join-session goes out before
// any queued edit), so after a reconnect the server sends a fresh 'session-state'.
// `session` mirrors the session from the events (code, language, version, participants).
import { ProtocolClient, type ClientOptions } from './client-base.js';
import type {
  ChangeSetJson,
  CollabClientPayloads,
  CollabClientType,
  CollabServerEvent,
  CollabServerPayloads,
  CollabServerType,
  Cursor,
  ParticipantView,
  SessionStatePayload,
} from '../protocols/collab.js';

// The wire types are the server's own (src/protocols/collab.ts); type-only imports, so
// the compiled SDK loads nothing from outside src/client.
export type { ChangeSetJson, Cursor } from '../protocols/collab.js';
export type Participant = ParticipantView;
export type SessionState = SessionStatePayload;

/** Each server event's payload, as `on()` hands it over. */
export type CollabEvents = {
  [K in CollabServerType]: [payload: CollabServerPayloads[K]];
};

export interface CollabClientOptions extends ClientOptions {
  sessionId: string;
  /** Identity for join-session (with a token, the server uses the token's instead). */
  userId: string;
  username: string;
  /** Join at once and after every reconnect (default true); see join() and leave(). */
  join?: boolean;
}

export class CollabClient extends ProtocolClient<CollabEvents> {
  /** The session as last known (null until the first session-state). */
  session: SessionState | null = null;
  private joined: boolean;
  /** Own full code sent after the last join-session, not yet in a session-state. */
  private ownCodeSinceJoin: string | null = null;

  constructor(private readonly collabOptions: CollabClientOptions) {
    super(collabOptions, `/ws/${encodeURIComponent(collabOptions.sessionId)}`);
    this.joined = collabOptions.join !== false;
    this.socket.addOpenHook(() => {
      if (this.joined) this.sendJoin();
    });
    this.autoConnect();
  }

  /** Joins (again) and stays joined across reconnects. */
  join(): void {
    this.joined = true;
    // Offline, the open hook sends it; sending here too would join twice.
    if (this.socket.state === 'open') this.sendJoin();
  }

  /** Leaves the session (the socket stays open and keeps receiving its events). */
  leave(): void {
    this.joined = false;
    if (this.socket.state === 'open') {
      this.send('leave-session', { userId: this.collabOptions.userId });
    }
  }

  /** Full code, the spec's form (last writer wins); with `version`, merged on the server. */
  changeCode(code: string, version?: number): 'sent' | 'queued' {
    // The server does not echo a change to its sender: mirror it once it goes out.
    return this.send(
      'code-change',
      {
        userId: this.collabOptions.userId,
        changes: code,
        ...(version === undefined ? {} : { version }),
      },
      () => {
        if (version !== undefined) return;
        this.ownCodeSinceJoin = code;
        if (this.session) this.session.code = code;
      },
    );
  }

  /** A versioned ChangeSet (an editor using @codemirror/collab); answered by 'code-ack'. */
  sendChanges(change: { version: number; changes: ChangeSetJson; clientID?: string }) {
    return this.send('code-change', { userId: this.collabOptions.userId, ...change });
  }

  moveCursor(cursor: Cursor): 'sent' | 'queued' {
    return this.send('cursor-move', { userId: this.collabOptions.userId, cursor });
  }

  changeLanguage(language: string): 'sent' | 'queued' {
    return this.send('language-change', { userId: this.collabOptions.userId, language });
  }

  /** Asks the other participants' browsers to run code (the server runs nothing). */
  executeCode(language: string, code: string): 'sent' | 'queued' {
    return this.send('execute-code', { language, code });
  }

  /** Shares the result of a run with everyone in the session. */
  sendExecutionResult(output: string, error: string | null): 'sent' | 'queued' {
    return this.send('execution-result', { output, error });
  }

  private sendJoin(): void {
    const { userId, username } = this.collabOptions;
    this.ownCodeSinceJoin = null;
    this.send('join-session', { userId, username });
  }

  private send<K extends CollabClientType>(
    type: K,
    payload: CollabClientPayloads[K],
    onSent?: () => void,
  ): 'sent' | 'queued' {
    return this.sendJson({ type, payload }, onSent);
  }

  protected onMessage(message: Record<string, unknown>): void {
    const type = message.type;
    const payload = message.payload;
    if (typeof type !== 'string' || payload === undefined) return;
    // As the server sends it; an unknown type is passed on by name, never mirrored.
    const event = { type, payload } as CollabServerEvent;
    this.mirror(event);
    this.emit(event.type, event.payload as never);
  }

  /** Keeps `session` in step with the events. */
  private mirror(event: CollabServerEvent): void {
    if (event.type === 'session-state') {
      this.session = structuredClone(event.payload);
      // The answer to a join was made before this client's later changes were applied.
      if (this.ownCodeSinceJoin !== null) this.session.code = this.ownCodeSinceJoin;
      this.ownCodeSinceJoin = null;
      return;
    }
    const state = this.session;
    if (!state) return;
    switch (event.type) {
      case 'code-update':
        state.code = event.payload.code;
        state.version = event.payload.version;
        break;
      case 'code-ack':
        state.version = event.payload.version;
        break;
      case 'language-updated':
        state.language = event.payload.language;
        break;
      case 'participant-joined': {
        const { userId, username } = event.payload;
        if (!state.participants.some((p) => p.userId === userId)) {
          state.participants.push({ userId, username, cursor: null });
        }
        break;
      }
      case 'participant-left':
        state.participants = state.participants.filter((p) => p.userId !== event.payload.userId);
        break;
      case 'cursor-update': {
        const p = state.participants.find((q) => q.userId === event.payload.userId);
        if (p) p.cursor = event.payload.cursor;
        break;
      }
      case 'execution-result':
        state.lastExecution = event.payload;
        break;
    }
  }
}
