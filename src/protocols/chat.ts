// Wire types of the chat protocol (spec 003, /ws/chat/<host>/<room>/; docs/protocols/chat.md).
// Client messages are flat objects with a `type`; server events are `chat_message`
// objects with an `action`; a refusal is `{"error": "…"}`. Shared by the server
// (src/apps/chat) and the SDK (src/client): types only.

// --- client → server ---------------------------------------------------------------

export interface ChatTextMessage {
  type: 'text';
  message: string;
  timestamp?: string;
}

export interface ChatUpdateMessage {
  type: 'update';
  messageId: string;
  message: string;
  timestamp?: string;
}

export interface ChatDeleteMessage {
  type: 'delete';
  messageId: string;
  timestamp?: string;
}

export type ChatClientMessage = ChatTextMessage | ChatUpdateMessage | ChatDeleteMessage;

// --- server → client ---------------------------------------------------------------

/** A message as the spec serializes it (also the items of GET …/messages). */
export interface MessageView {
  id: string;
  user: string;
  user_id: string;
  body: string;
  created: string;
  edited: boolean;
  updated: string;
  userAvatar: string | null;
}

export interface ChatNewEvent extends MessageView {
  type: 'chat_message';
  action: 'new';
}

export interface ChatUpdateEvent {
  type: 'chat_message';
  action: 'update';
  id: string;
  body: string;
  edited: true;
  updated: string;
}

export interface ChatDeleteEvent {
  type: 'chat_message';
  action: 'delete';
  id: string;
}

export type ChatServerEvent = ChatNewEvent | ChatUpdateEvent | ChatDeleteEvent;

/** The answer to a message the server refused (one of the spec's sentences). */
export interface ChatErrorMessage {
  error: string;
}

/** GET /api/rooms/<host>/<room>/messages. */
export interface ChatHistoryPage {
  messages: MessageView[];
}
