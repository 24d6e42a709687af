// The Bun column of the benchmark (only run when `bun` is on PATH): the same two
// routes as `ringside echo` on Bun's built-in WebSocket server. Compiled by tsc to
// dist/bench/bun-echo-server.js and run with `bun`, never with node.
// Prints {"port":N} on stdout once listening.

interface BunSocket {
  data: { path: string };
  send(message: string | Uint8Array): number;
  subscribe(topic: string): void;
}
interface BunServer {
  port: number;
  upgrade(req: Request, options: { data: { path: string } }): boolean;
  publish(topic: string, message: string | Uint8Array): number;
  stop(closeActive?: boolean): void;
}
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch(req: Request, server: BunServer): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, message: string | Uint8Array): void;
      perMessageDeflate: boolean;
      maxPayloadLength: number;
      idleTimeout: number;
    };
  }): BunServer;
};

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};

const server = Bun.serve({
  port: Number(flag('--port', '0')),
  hostname: flag('--host', '127.0.0.1'),
  fetch(req, srv) {
    const path = new URL(req.url).pathname;
    if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Upgrade Required', { status: 426 });
    }
    if (path !== '/echo' && path !== '/broadcast') return new Response('', { status: 404 });
    if (srv.upgrade(req, { data: { path } })) return undefined;
    return new Response('Bad Request', { status: 400 });
  },
  websocket: {
    open(ws) {
      if (ws.data.path === '/broadcast') ws.subscribe('broadcast');
    },
    message(ws, message) {
      // server.publish (unlike ws.publish) includes the sender, like the other servers
      if (ws.data.path === '/echo') ws.send(message);
      else server.publish('broadcast', message);
    },
    perMessageDeflate: false,
    maxPayloadLength: 64 << 20,
    idleTimeout: 0,
  },
});

process.stdout.write(JSON.stringify({ msg: 'bun echo listening', port: server.port }) + '\n');
const stop = (): void => {
  server.stop(true);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
