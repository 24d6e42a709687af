// The part of the WebSocket API the SDK uses: the browser's global WebSocket has it,
// and so do Node 22's global and the `ws` package's WebSocket (Node 20 has none
// unless --experimental-websocket). Nothing here imports a Node module, so the SDK
// runs unbundled in a browser.

/** What a close event carries, in the browser's shape. */
export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: CloseInfo) => void) | null;
}

export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** readyState values (the same in every implementation). */
export const OPEN = 1;

/**
 * Extras some implementations have (the `ws` package): a protocol-level ping, the
 * pong and ping events, and an immediate teardown. Browsers have none of these.
 */
interface NativeHeartbeatSocket {
  ping(): void;
  on(event: 'pong' | 'ping', listener: () => void): unknown;
  off?(event: 'pong' | 'ping', listener: () => void): unknown;
}

export function nativePing(socket: WebSocketLike): NativeHeartbeatSocket | null {
  const s = socket as unknown as Partial<NativeHeartbeatSocket>;
  return typeof s.ping === 'function' && typeof s.on === 'function'
    ? (s as NativeHeartbeatSocket)
    : null;
}

/** Drops a socket at once: `terminate()` where there is one, else `close()`. */
export function dropSocket(socket: WebSocketLike): void {
  // Late events of an abandoned socket must not reach the SDK, and `ws` throws on an
  // 'error' nobody listens to: keep no-op handlers instead of null.
  const ignore = (): void => {};
  socket.onopen = ignore;
  socket.onmessage = ignore;
  socket.onerror = ignore;
  socket.onclose = ignore;
  const terminate = (socket as unknown as { terminate?: () => void }).terminate;
  try {
    if (typeof terminate === 'function') terminate.call(socket);
    else socket.close(4000, 'abandoned by client');
  } catch {
    // Already closing or never opened: nothing left to release.
  }
}

/** The given constructor, else the global one; a clear error when there is neither. */
export function resolveWebSocket(given: WebSocketConstructor | undefined): WebSocketConstructor {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  throw new TypeError(
    'No WebSocket implementation: this runtime has no global WebSocket (Node 20 needs ' +
      "--experimental-websocket); pass one as the `WebSocket` option, e.g. `import { WebSocket } from 'ws'`",
  );
}

/** Text of a message event's data; binary data is decoded as UTF-8. */
export function messageText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  // `ws` with binaryType 'nodebuffer' or fragments: a Buffer is a Uint8Array (handled
  // above); anything else is stringified.
  return String(data);
}
