// An arena player on socket.io-client 4: every server event kept in arrival order,
// `event(name)` takes the first unread one of that name (waiting if none came yet),
// `request(event, data)` emits with an ack and resolves with the ack's answer.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Json } from '../apps/ws-client.js';

export type Transports = Array<'polling' | 'websocket'>;

export class SioPlayer {
  readonly received: Array<{ event: string; data: Json }> = [];
  private readonly unread: Array<{ event: string; data: Json }> = [];
  private readonly waiters: Array<{ event: string; resolve: (data: Json) => void }> = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, data: Json) => {
      const entry = { event, data };
      this.received.push(entry);
      const at = this.waiters.findIndex((w) => w.event === event);
      if (at >= 0) this.waiters.splice(at, 1)[0]!.resolve(data);
      else this.unread.push(entry);
    });
  }

  /** Connects and waits for `connect` (rejects with the connect_error). */
  static async connect(
    url: string,
    token: string | undefined,
    transports: Transports,
    options: Partial<ManagerOptions & SocketOptions> = {},
  ): Promise<SioPlayer> {
    const socket = io(url, {
      transports,
      auth: token === undefined ? {} : { token },
      reconnection: false,
      forceNew: true,
      ...options,
    });
    const player = new SioPlayer(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connect within 5 s')), 5000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        socket.close();
        reject(error);
      });
    });
    return player;
  }

  request(event: string, data: Json = {}, timeoutMs = 5000): Promise<Json> {
    return this.socket.timeout(timeoutMs).emitWithAck(event, data);
  }

  /** Like request(), but fails unless the answer is a response. */
  async ok(event: string, data: Json = {}, timeoutMs = 5000): Promise<Json> {
    const answer = await this.request(event, data, timeoutMs);
    if (answer?.type !== 'response') throw new Error(`${event} failed: ${JSON.stringify(answer)}`);
    return answer;
  }

  event(name: string, timeoutMs = 5000): Promise<Json> {
    const at = this.unread.findIndex((e) => e.event === name);
    if (at >= 0) return Promise.resolve(this.unread.splice(at, 1)[0]!.data);
    return new Promise((resolve, reject) => {
      const waiter = {
        event: name,
        resolve: (data: Json) => {
          clearTimeout(timer);
          resolve(data);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.socket.close();
  }
}
