// The WebSocket transport on ringside's own engine: one Engine.IO packet per WebSocket
// message (text for strings, a binary frame for bytes, which carries no type byte).
import { encodePacket, type Packet } from 'engine.io-parser';
import { CloseCode, type ServerConnection } from '../websocket/index.js';
import type { SessionTransport } from './engine-session.js';

export class WebSocketTransport implements SessionTransport {
  readonly name = 'websocket' as const;

  constructor(readonly connection: ServerConnection<unknown>) {}

  get writable(): boolean {
    return this.connection.isOpen;
  }

  send(packets: Packet[]): void {
    for (const packet of packets) {
      encodePacket(packet, true, (encoded) => {
        if (typeof encoded === 'string') this.connection.send(encoded);
        else this.connection.send(Buffer.from(encoded as Uint8Array), { binary: true });
      });
    }
  }

  close(last: Packet | null): void {
    if (last !== null && last.type !== 'noop' && this.connection.isOpen) this.send([last]);
    this.connection.close(CloseCode.Normal, '');
  }
}
