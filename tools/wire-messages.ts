// The messages of every protocol as whole unions, one per direction: what the JSON
// Schemas in docs/schemas/ describe. Built from the wire types in src/protocols (the
// single source the servers' schemas and the SDK are checked against).
import type * as arena from '../src/protocols/arena.js';
import type * as chat from '../src/protocols/chat.js';
import type * as collab from '../src/protocols/collab.js';
import type * as runner from '../src/protocols/runner.js';

/** Spec 001 — collab, client to server (/ws/{sessionId}). */
export type CollabClientMessage = collab.CollabClientMessage;
/** Spec 001 — collab, server to client. */
export type CollabServerMessage = collab.CollabServerEvent;

/** Spec 003 — chat, client to server (/ws/chat/{host}/{room}/). */
export type ChatClientMessage = chat.ChatClientMessage;
/** Spec 003 — chat, server to client: a message event, or a refusal. */
export type ChatServerMessage = chat.ChatServerEvent | chat.ChatErrorMessage;

/** Spec 002 — runner, client to server (/appws, /devws). */
export type RunnerClientMessage = runner.RunnerClientMessage;
/** Spec 002 — runner, server to client. */
export type RunnerServerMessage = runner.RunnerServerMessage | runner.RunnerErrorMessage;

/** Spec 000 — arena, client to server (/v1): one request envelope per event. */
export type ArenaClientMessage = {
  [E in arena.ArenaRequestEvent]: arena.ArenaRequestEnvelope<E>;
}[arena.ArenaRequestEvent];
/** Spec 000 — arena, server to client: a response, an event, or an error. */
export type ArenaServerMessage =
  | { [E in arena.ArenaRequestEvent]: arena.ArenaResponseEnvelope<E> }[arena.ArenaRequestEvent]
  | { [K in arena.ArenaEventName]: arena.ArenaEventEnvelope<K> }[arena.ArenaEventName]
  | arena.ArenaErrorEnvelope;
