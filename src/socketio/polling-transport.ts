// HTTP long-polling: the client keeps one GET open, answered as soon as packets are
// waiting (all of them, in one payload); what it sends comes in POST bodies, handled by
// the server (engine-server.ts) and fed to the session.
import type { ServerResponse } from 'node:http';
import { encodePayload, type Packet } from 'engine.io-parser';
import type { SessionTransport } from './engine-session.js';

export class PollingTransport implements SessionTransport {
  readonly name = 'polling' as const;
  private pending: ServerResponse | null = null;
  private closed = false;

  get writable(): boolean {
    return this.pending !== null && !this.closed;
  }

  /** A GET: held until packets come. False when one is already waiting (an overlap). */
  hold(response: ServerResponse): boolean {
    if (this.pending !== null) return false;
    this.pending = response;
    response.once('close', () => {
      if (this.pending === response) this.pending = null;
    });
    return true;
  }

  send(packets: Packet[]): void {
    const response = this.pending;
    if (response === null) return;
    this.pending = null;
    encodePayload(packets, (payload) => writeText(response, 200, payload));
  }

  close(last: Packet | null): void {
    if (this.closed) return;
    if (last !== null) this.send([last]);
    else if (this.pending !== null) this.send([{ type: 'noop' }]);
    this.closed = true;
  }
}

export function writeText(response: ServerResponse, status: number, body: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'content-type': 'text/plain; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(body);
}
