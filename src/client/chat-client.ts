// The chat protocol (spec 003, /ws/chat/<host>/<room>/): send, edit and delete messages,
// receive every room event. The room is in the address, so a reconnect re-joins it by
// itself; after a reconnect the client also fetches the messages posted while it was
// away (REST history) and emits them, in order, before the live ones that came since.
import { ProtocolClient, type ClientOptions } from './client-base.js';
import { endpointUrl, httpOrigin, tokenValue } from './endpoint.js';
import type { OpenInfo } from './reconnecting-socket.js';
import type {
  ChatClientMessage,
  ChatDeleteEvent,
  ChatHistoryPage,
  ChatNewEvent,
  ChatUpdateEvent,
  MessageView as ChatMessage,
} from '../protocols/chat.js';

// The wire types are the server's own (src/protocols/chat.ts); type-only imports, so the
// compiled SDK loads nothing from outside src/client.
export type {
  ChatDeleteEvent,
  ChatNewEvent,
  ChatUpdateEvent,
  MessageView as ChatMessage,
} from '../protocols/chat.js';

export interface ChatEvents {
  /** A new message; `recovered` when it was fetched after a reconnect, not received live. */
  message: [message: ChatNewEvent, meta: { recovered: boolean }];
  update: [event: ChatUpdateEvent];
  delete: [event: ChatDeleteEvent];
  /** The server's error sentence for something this client sent (e.g. "Message not found."). */
  error: [error: string];
  /** After a reconnect: how many missed messages were recovered; complete=false if maybe more. */
  'catch-up': [info: { recovered: number; complete: boolean; error?: Error }];
}

export interface ChatClientOptions extends ClientOptions {
  /** The room host's username. */
  host: string;
  /** The room's slug. */
  room: string;
  /** Fetch missed messages after a reconnect (default true). */
  catchUp?: boolean;
  /** fetch implementation for the REST calls (default: the global one). */
  fetch?: typeof fetch;
}

const RECENT_IDS = 500;
const CATCH_UP_LIMIT = 100;
const CATCH_UP_TIMEOUT_MS = 10_000;

export class ChatClient extends ProtocolClient<ChatEvents> {
  private lastSeenId: string | null = null;
  private readonly recentIds = new Set<string>();
  /** Live events held back while missed messages are being fetched. */
  private heldBack: Record<string, unknown>[] | null = null;
  private catchUpRun = 0;

  constructor(private readonly chatOptions: ChatClientOptions) {
    const path = `/ws/chat/${encodeURIComponent(chatOptions.host)}/${encodeURIComponent(chatOptions.room)}/`;
    super(chatOptions, path);
    this.socket.addOpenHook((info) => this.opened(info));
    this.autoConnect();
  }

  /** Posts a message. Fire and forget: the stored message comes back as a 'message' event. */
  sendMessage(text: string): 'sent' | 'queued' {
    return this.send({ type: 'text', message: text, timestamp: new Date().toISOString() });
  }

  /** Edits one of this user's messages ('update' event, or an 'error'). */
  editMessage(messageId: string, text: string): 'sent' | 'queued' {
    return this.send({
      type: 'update',
      messageId,
      message: text,
      timestamp: new Date().toISOString(),
    });
  }

  /** Deletes one of this user's messages ('delete' event, or an 'error'). */
  deleteMessage(messageId: string): 'sent' | 'queued' {
    return this.send({ type: 'delete', messageId, timestamp: new Date().toISOString() });
  }

  private send(message: ChatClientMessage): 'sent' | 'queued' {
    return this.sendJson(message);
  }

  /** The room's history over REST, newest first (`before`: a message id; `limit` 1–100). */
  async history(
    query: { before?: string; limit?: number } = {},
    timeoutMs = this.requestTimeoutMs,
  ): Promise<ChatMessage[]> {
    const url = new URL(
      `/api/rooms/${encodeURIComponent(this.chatOptions.host)}/${encodeURIComponent(this.chatOptions.room)}/messages`,
      httpOrigin(endpointUrl(this.base, '/')),
    );
    if (query.before) url.searchParams.set('before', query.before);
    if (query.limit) url.searchParams.set('limit', String(query.limit));
    const token = await tokenValue(this.chatOptions.token);
    const doFetch = this.chatOptions.fetch ?? globalThis.fetch;
    const response = await doFetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as Partial<ChatHistoryPage> & { error?: string };
    if (!response.ok || !body.messages) {
      throw new Error(`GET ${url.pathname}: ${response.status} ${body.error ?? ''}`.trim());
    }
    return body.messages;
  }

  protected onMessage(message: Record<string, unknown>): void {
    if (this.heldBack) {
      this.heldBack.push(message);
      return;
    }
    this.deliver(message, false);
  }

  private deliver(message: Record<string, unknown>, recovered: boolean): void {
    if (typeof message.error === 'string' && message.type === undefined) {
      return this.emit('error', message.error);
    }
    if (message.type !== 'chat_message') return;
    if (message.action === 'new') {
      const id = message.id as string;
      if (this.recentIds.has(id)) return;
      this.remember(id);
      this.emit('message', message as unknown as ChatNewEvent, { recovered });
    } else if (message.action === 'update') {
      this.emit('update', message as unknown as ChatUpdateEvent);
    } else if (message.action === 'delete') {
      this.emit('delete', message as unknown as ChatDeleteEvent);
    }
  }

  private remember(id: string): void {
    this.lastSeenId = id;
    this.recentIds.add(id);
    if (this.recentIds.size > RECENT_IDS) {
      this.recentIds.delete(this.recentIds.values().next().value as string);
    }
  }

  private opened(info: OpenInfo): void {
    if (!info.reconnected || this.chatOptions.catchUp === false || !this.lastSeenId) return;
    const run = ++this.catchUpRun;
    const since = this.lastSeenId;
    // Events held by an unfinished catch-up of an earlier connection stay held: this
    // run's history covers them (and they are then skipped as already seen).
    this.heldBack ??= [];
    void this.history({ limit: CATCH_UP_LIMIT }, CATCH_UP_TIMEOUT_MS).then(
      (newestFirst) => {
        if (run !== this.catchUpRun) return;
        const at = newestFirst.findIndex((m) => m.id === since);
        const missed = (at >= 0 ? newestFirst.slice(0, at) : newestFirst).reverse();
        let recovered = 0;
        for (const m of missed) {
          if (this.recentIds.has(m.id)) continue;
          recovered++;
          this.deliver({ type: 'chat_message', action: 'new', ...m }, true);
        }
        this.releaseHeldBack();
        this.emit('catch-up', { recovered, complete: at >= 0 });
      },
      (error: unknown) => {
        if (run !== this.catchUpRun) return;
        this.releaseHeldBack();
        this.emit('catch-up', {
          recovered: 0,
          complete: false,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      },
    );
  }

  private releaseHeldBack(): void {
    const held = this.heldBack ?? [];
    this.heldBack = null;
    for (const message of held) this.deliver(message, false);
  }
}
