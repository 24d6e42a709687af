// One peer flooding a WebSocket echo server: 32-byte text messages written as fast as
// the socket takes them, echoes read and counted, for a bounded time. Run as a child
// process by the fairness measurement (bench/lib/fairness.ts):
//   node dist/bench/flood-client.js <port> <durationMs> [path]
// Prints one JSON line: {"sent":N,"echoed":N} (messages).
import { randomBytes } from 'node:crypto';
import net from 'node:net';

const PAYLOAD = 32;
const FRAME = 2 + 4 + PAYLOAD; // masked client frame
const ECHO_FRAME = 2 + PAYLOAD;
const BATCH = 8192; // frames per write (about 300 KB)

function maskedBatch(): Buffer {
  const frame = Buffer.alloc(FRAME);
  frame[0] = 0x81; // FIN, text
  frame[1] = 0x80 | PAYLOAD;
  const key = randomBytes(4);
  key.copy(frame, 2);
  for (let i = 0; i < PAYLOAD; i++) frame[6 + i] = 0x61 ^ key[i & 3]!; // "aaaa…"
  const batch = Buffer.alloc(FRAME * BATCH);
  for (let i = 0; i < BATCH; i++) frame.copy(batch, i * FRAME);
  return batch;
}

function main(): void {
  const port = Number(process.argv[2]);
  const durationMs = Number(process.argv[3]);
  const path = process.argv[4] ?? '/echo';
  if (!(port > 0) || !(durationMs > 0)) {
    console.error('usage: flood-client <port> <durationMs> [path]');
    process.exit(2);
  }
  const batch = maskedBatch();
  let sent = 0;
  let echoedBytes = 0;
  let stopped = false;
  const socket = net.connect({ host: '127.0.0.1', port }, () => {
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
  socket.setNoDelay(true);
  let head = true;
  let pending = Buffer.alloc(0);
  const pump = (): void => {
    while (!stopped) {
      sent += BATCH;
      if (!socket.write(batch)) return void socket.once('drain', pump);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    if (head) {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!pending.subarray(0, 12).toString().includes('101')) {
        console.error(`upgrade refused: ${pending.toString().split('\r\n')[0]}`);
        process.exit(1);
      }
      head = false;
      echoedBytes += pending.length - end - 4;
      pump();
      setTimeout(finish, durationMs);
      return;
    }
    echoedBytes += chunk.length;
  });
  socket.on('error', (error) => {
    if (!stopped) console.error(`flood socket: ${error.message}`);
  });
  const finish = (): void => {
    stopped = true;
    console.log(JSON.stringify({ sent, echoed: Math.floor(echoedBytes / ECHO_FRAME) }));
    socket.destroy();
    process.exit(0);
  };
}

main();
