// The reference server for the benchmark: the same two routes as `ringside echo`
// (/echo sends every message back, /broadcast sends every message to every
// /broadcast connection, the sender included), built on the `ws` package.
// Prints {"port":N} on stdout once listening, like `ringside echo`.
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const port = Number(flag('--port', '0'));
const host = flag('--host', '127.0.0.1');
const deflate = args.includes('--deflate');

const server = http.createServer((_req, res) => {
  res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
});
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: deflate,
  maxPayload: 64 << 20,
});
const subscribers = new Set<WebSocket>();
// Counted so a test can check the load generator's own counts against the server's.
let echoed = 0;
let published = 0;

server.on('upgrade', (req, socket, head) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/echo' && path !== '/broadcast') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (path === '/echo') {
      ws.on('message', (data, isBinary) => {
        echoed++;
        ws.send(data, { binary: isBinary });
      });
      return;
    }
    subscribers.add(ws);
    ws.on('close', () => subscribers.delete(ws));
    ws.on('message', (data, isBinary) => {
      published++;
      for (const peer of subscribers) peer.send(data, { binary: isBinary });
    });
  });
});

server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(JSON.stringify({ msg: 'ws echo listening', port: bound }) + '\n');
});

const stop = (): void => {
  process.stdout.write(JSON.stringify({ msg: 'ws echo stopped', echoed, published }) + '\n');
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
