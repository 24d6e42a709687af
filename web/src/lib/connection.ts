// The state of the page's live connection, for the indicator in the header. A screen with
// a socket registers it with watchSocket(); the last one registered is the one shown.
import { signal } from '@preact/signals';
import type { ReconnectingSocket } from '@client/index.js';

export type ConnectionView =
  | { kind: 'none' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'offline' };

export const connection = signal<ConnectionView>({ kind: 'none' });

/** Browser-wide: the network is down (navigator.onLine). */
export const browserOffline = signal(typeof navigator !== 'undefined' && !navigator.onLine);
if (typeof window !== 'undefined') {
  window.addEventListener('online', () => (browserOffline.value = false));
  window.addEventListener('offline', () => (browserOffline.value = true));
}

/** Mirrors a socket's state into `connection` until the returned function is called. */
export function watchSocket(socket: ReconnectingSocket): () => void {
  const show = () => {
    switch (socket.state) {
      case 'open':
        connection.value = { kind: 'connected' };
        break;
      case 'closed':
        connection.value = { kind: 'offline' };
        break;
      case 'reconnecting':
        break; // the 'reconnecting' event carries the attempt
      default:
        connection.value = { kind: 'connecting' };
    }
  };
  show();
  const offs = [
    socket.on('state', show),
    socket.on('reconnecting', ({ attempt }) => {
      connection.value = { kind: 'reconnecting', attempt };
    }),
  ];
  return () => {
    for (const off of offs) off();
    connection.value = { kind: 'none' };
  };
}

/** Options every client of the app uses: keep trying (the page never needs a reload). */
export const RECONNECT = {
  maxAttempts: Infinity,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  jitter: 0.3,
} as const;
