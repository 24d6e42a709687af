// Fairness under a flood: one peer floods a server with 32-byte messages (a separate
// process, bench/flood-client.ts) while a light client pings every few milliseconds;
// reports the light client's ping round trips and how much the server's RSS grew.
// Used by the benchmark's fairness row and by test/websocket/fairness.test.ts.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectWebSocket } from '../../src/websocket/index.js';

const FLOOD_CLIENT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'flood-client.js',
);

export interface FairnessOptions {
  /** How long the light client measures, once the flood runs. */
  measureMs: number;
  /** Time between two pings of the light client. */
  pingIntervalMs: number;
  path?: string;
  /** Command prefix for the flood process (e.g. taskset -c 1). */
  floodPrefix?: string[];
}

export interface FairnessResult {
  pings: number;
  /** Pings with no pong by the end of the measurement. */
  lost: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server RSS at its highest during the flood minus before it, in bytes. */
  rssGrowthBytes: number;
  /** What the flooding peer sent and got back, in messages. */
  floodSent: number;
  floodEchoed: number;
}

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status);
  return kb ? Number(kb[1]) * 1024 : 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function measureFairness(
  port: number,
  serverPid: number,
  options: FairnessOptions,
): Promise<FairnessResult> {
  const urlPath = options.path ?? '/echo';
  const light = await connectWebSocket(`ws://127.0.0.1:${port}${urlPath}`);
  const sentAt = new Map<number, bigint>();
  const rtts: number[] = [];
  light.on('pong', (payload) => {
    const seq = Number(payload.toString());
    const start = sentAt.get(seq);
    if (start === undefined) return;
    sentAt.delete(seq);
    rtts.push(Number(process.hrtime.bigint() - start) / 1e6);
  });
  const closed = new Promise<void>((resolve) => light.on('close', () => resolve()));
  await sleep(100);
  const rssBefore = await rssOf(serverPid);

  const floodMs = options.measureMs + 1500;
  const [command, ...prefix] = [...(options.floodPrefix ?? []), process.execPath];
  const flood = spawn(command!, [...prefix, FLOOD_CLIENT, String(port), String(floodMs), urlPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let floodOut = '';
  flood.stdout.setEncoding('utf8').on('data', (d: string) => (floodOut += d));
  flood.stderr.setEncoding('utf8').on('data', (d: string) => (floodOut += d));
  const floodExit = new Promise<void>((resolve) => flood.once('exit', () => resolve()));
  const killTimer = setTimeout(() => flood.kill('SIGKILL'), floodMs + 10_000);

  let rssMax = rssBefore;
  try {
    await sleep(500); // the flood is under way
    let seq = 0;
    const end = Date.now() + options.measureMs;
    let nextRss = 0;
    while (Date.now() < end) {
      sentAt.set(seq, process.hrtime.bigint());
      light.ping(String(seq++));
      if (Date.now() >= nextRss) {
        rssMax = Math.max(rssMax, await rssOf(serverPid));
        nextRss = Date.now() + 50;
      }
      await sleep(options.pingIntervalMs);
    }
    await sleep(300); // the last pongs
    rssMax = Math.max(rssMax, await rssOf(serverPid));
    const lost = sentAt.size;
    await floodExit;
    const counts = /\{.*\}/.exec(floodOut);
    if (!counts) throw new Error(`the flood client reported nothing: ${floodOut}`);
    const flooded = JSON.parse(counts[0]) as { sent: number; echoed: number };
    const sorted = [...rtts].sort((a, b) => a - b);
    return {
      pings: seq,
      lost,
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1) ?? NaN,
      rssGrowthBytes: rssMax - rssBefore,
      floodSent: flooded.sent,
      floodEchoed: flooded.echoed,
    };
  } finally {
    clearTimeout(killTimer);
    if (flood.exitCode === null) flood.kill('SIGKILL');
    light.terminate();
    await Promise.race([closed, sleep(1000)]);
  }
}
