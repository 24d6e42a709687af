// Shared set-up for the conformance files: one `ringside echo` child per file, raw clients
// to its /echo route, and the closing check that the server still serves after the group.
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { startEcho, type EchoProcess } from '../helpers/echo-process.js';
import {
  connect,
  destroyAllClients,
  Op,
  type ConnectOptions,
  type RawWs,
} from '../helpers/raw-ws.js';

/** Heartbeats off so no server ping interleaves with what a case expects. */
export function startServer(args: string[] = []): Promise<EchoProcess> {
  return startEcho(['--heartbeat-ms', '0', ...args]);
}

/**
 * The file's server: started before its first case, stopped after the last, with every
 * raw client of a case destroyed after it. The returned object is filled in `before`.
 */
export function serverForThisFile(args: string[] = []): EchoProcess {
  const server = {} as EchoProcess;
  let started = false;
  before(async () => {
    Object.assign(server, await startServer(args));
    started = true;
  });
  after(async () => {
    if (started) await server.stop();
  });
  afterEach(() => destroyAllClients());
  return server;
}

export function open(
  server: EchoProcess,
  opts: ConnectOptions & { headChunkDelayMs?: number } = {},
): Promise<RawWs> {
  return connect(`${server.url}${opts.path ?? '/echo'}`, opts);
}

/** The process is alive, accepts a new connection, echoes text and binary and closes cleanly. */
export async function assertStillServing(
  server: EchoProcess,
  opts: ConnectOptions = {},
): Promise<void> {
  assert.equal(server.proc.exitCode, null, `server exited:\n${server.output()}`);
  assert.equal(server.proc.signalCode, null, `server was killed:\n${server.output()}`);
  const ws = await open(server, opts);
  ws.sendMessage(Op.TEXT, 'still alive ✓');
  await ws.expectMessage(Op.TEXT, 'still alive ✓');
  ws.sendMessage(Op.BINARY, Buffer.from([0, 1, 2, 255]));
  await ws.expectMessage(Op.BINARY, Buffer.from([0, 1, 2, 255]));
  const r = await ws.closeNormally();
  assert.equal(r.tcp, 'end');
}

/** Deterministic pseudo-random bytes (tests must be reproducible). */
export function prngBytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Deterministic valid UTF-8 text of exactly n bytes, mixing 1- to 4-byte code points. */
export function utf8Text(n: number, seed = 7): Buffer {
  const alphabet = ['a', 'Z', ' ', '7', 'é', 'ß', 'κ', '€', '中', '😀'].map((s) => Buffer.from(s));
  const out = Buffer.allocUnsafe(n);
  let off = 0;
  let x = seed;
  while (off < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const c = alphabet[(x >>> 16) % alphabet.length]!;
    if (off + c.length > n) {
      out[off++] = 0x61;
      continue;
    }
    c.copy(out, off);
    off += c.length;
  }
  return out;
}

/** Compressible JSON-like text (like Autobahn's json test data), exactly n bytes. */
export function jsonText(n: number, seed = 3): Buffer {
  const parts: string[] = [];
  let len = 0;
  let x = seed;
  while (len < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const s = `{"id":${x % 10000},"name":"user${x % 97}","tags":["a","b${x % 13}"],"ok":${x % 2 === 0}},`;
    parts.push(s);
    len += s.length;
  }
  return Buffer.from(parts.join('').slice(0, n));
}
