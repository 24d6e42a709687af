// The collab protocol (spec 001, /ws/<sessionId>): one shared document per session.
// The client joins the session on every (re)connection (join-session goes out before
// any queued edit), so after a reconnect the server sends a fresh 'session-state'.
// `session` mirrors the session from the events (code, language, version, participants).
import { ProtocolClient, type ClientOptions } from './client-base.js';

export interface Cursor {
  line: number;
  column: number;
}

export interface Participant {
  userId: string;
  username: string;
  cursor: Cursor | null;
}

export interface SessionState {
  sessionId: string;
  code: string;
  language: string;
  version: number;
  participants: Participant[];
  lastExecution: { userId: string; output: string; error: string | null } | null;
}

/** A @codemirror/state ChangeSet in its JSON form. */
export type ChangeSetJson = Array<number | Array<number | string>>;

export interface CollabEvents {
  'session-state': [state: SessionState];
  'participant-joined': [payload: { userId: string; username: string }];
  'participant-left': [payload: { userId: string }];
  'code-update': [
    payload: {
      userId: string;
      code: string;
      version: number;
      changes: ChangeSetJson;
      clientID: string;
    },
  ];
  'code-ack': [payload: { version: number; clientID: string; changes: ChangeSetJson }];
  'cursor-update': [payload: { userId: string; cursor: Cursor }];
  'language-updated': [payload: { userId: string; language: string }];
  'execute-code': [payload: { language: string; code: string; userId: string }];
  'execution-result': [payload: { output: string; error: string | null; userId: string }];
  /** The server's `{"type":"error"}`: something this client sent was refused. */
  error: [payload: { message: string }];
}

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
    return this.sendJson(
      {
        type: 'code-change',
        payload: {
          userId: this.collabOptions.userId,
          changes: code,
          ...(version === undefined ? {} : { version }),
        },
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

  private send(type: string, payload: Record<string, unknown>): 'sent' | 'queued' {
    return this.sendJson({ type, payload });
  }

  protected onMessage(message: Record<string, unknown>): void {
    const type = message.type;
    const payload = message.payload as never;
    if (typeof type !== 'string' || payload === undefined) return;
    this.mirror(type, payload);
    this.emit(type as keyof CollabEvents, payload);
  }

  /** Keeps `state` in step with the events. */
  private mirror(type: string, payload: Record<string, unknown>): void {
    if (type === 'session-state') {
      this.session = structuredClone(payload) as unknown as SessionState;
      // The answer to a join was made before this client's later changes were applied.
      if (this.ownCodeSinceJoin !== null) this.session.code = this.ownCodeSinceJoin;
      this.ownCodeSinceJoin = null;
      return;
    }
    const state = this.session;
    if (!state) return;
    switch (type) {
      case 'code-update':
        state.code = payload.code as string;
        state.version = payload.version as number;
        break;
      case 'code-ack':
        state.version = payload.version as number;
        break;
      case 'language-updated':
        state.language = payload.language as string;
        break;
      case 'participant-joined':
        if (!state.participants.some((p) => p.userId === payload.userId)) {
          state.participants.push({
            userId: payload.userId as string,
            username: payload.username as string,
            cursor: null,
          });
        }
        break;
      case 'participant-left':
        state.participants = state.participants.filter((p) => p.userId !== payload.userId);
        break;
      case 'cursor-update': {
        const p = state.participants.find((q) => q.userId === payload.userId);
        if (p) p.cursor = payload.cursor as Cursor;
        break;
      }
      case 'execution-result':
        state.lastExecution = payload as unknown as SessionState['lastExecution'];
        break;
    }
  }
}
