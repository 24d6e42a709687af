// Wire types of the collab protocol (spec 001, /ws/<sessionId>; docs/protocols/collab.md).
// Every message, both ways, is `{type, payload}`. Shared by the server (src/apps/collab)
// and the SDK (src/client): types only.

export interface Cursor {
  line: number;
  column: number;
}

/**
 * A @codemirror/state ChangeSet as ChangeSet.toJSON() writes it: numbers (kept spans)
 * and arrays `[deletedLength, ...insertedLines]`.
 */
export type ChangeSetJson = Array<number | Array<number | string>>;

// --- client → server ---------------------------------------------------------------

export interface CollabClientPayloads {
  'join-session': { userId: string; username: string };
  'leave-session': { userId?: string };
  'code-change': {
    userId?: string;
    /** Full code (the spec's form) or a ChangeSet (versioned form; needs `version`). */
    changes: string | ChangeSetJson;
    /** The document version the change was made against (versions the client has seen). */
    version?: number;
    /** Identifies the sending editor in code-update/code-ack (@codemirror/collab's clientID). */
    clientID?: string;
  };
  'cursor-move': { userId?: string; cursor: Cursor };
  'language-change': { userId?: string; language: string };
  'execute-code': { language: string; code: string };
  'execution-result': { output: string; error: string | null };
}

export type CollabClientType = keyof CollabClientPayloads;

export type CollabClientMessage = {
  [K in CollabClientType]: { type: K; payload: CollabClientPayloads[K] };
}[CollabClientType];

// --- server → client ---------------------------------------------------------------

export interface ParticipantView {
  userId: string;
  username: string;
  cursor: Cursor | null;
}

export interface ExecutionView {
  userId: string;
  output: string;
  error: string | null;
}

export interface SessionStatePayload {
  sessionId: string;
  code: string;
  language: string;
  version: number;
  participants: ParticipantView[];
  lastExecution: ExecutionView | null;
}

export interface CodeUpdatePayload {
  userId: string;
  code: string;
  /** The document version after this change. */
  version: number;
  /** The change as applied (ChangeSet JSON against version - 1). */
  changes: ChangeSetJson;
  clientID: string;
}

export interface CollabServerPayloads {
  'session-state': SessionStatePayload;
  'participant-joined': { userId: string; username: string };
  'participant-left': { userId: string };
  'code-update': CodeUpdatePayload;
  'code-ack': { version: number; clientID: string; changes: ChangeSetJson };
  'cursor-update': { userId: string; cursor: Cursor };
  'language-updated': { userId: string; language: string };
  'execute-code': { language: string; code: string; userId: string };
  'execution-result': ExecutionView;
  error: { message: string };
}

export type CollabServerType = keyof CollabServerPayloads;

export type CollabServerEvent = {
  [K in CollabServerType]: { type: K; payload: CollabServerPayloads[K] };
}[CollabServerType];
