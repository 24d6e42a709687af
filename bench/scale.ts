// `node dist/bench/scale.js`: how one ringside process grows with idle connections,
// with the heartbeat on. For each count: memory per connection, CPU while idle, the
// time to complete every handshake, and the time until one 64-byte message published
// to all of them reached the last one. Servers on core 0, the load generator on core 1.
//   --conns 1000,5000,10000,19000   connection counts (capped by the open-file limit)
//   --servers ringside,ws           which servers (default ringside and ws)
//   --heartbeat-ms 10000            ringside's heartbeat interval during the run
// Writes bench/results/scale.json and scale.svg.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildLoadgen } from './lib/loadgen-binary.js';
import { runLoadgen } from './lib/loadgen.js';
import { RESULTS_DIR } from './lib/paths.js';
import { coreCount, cpuModel, hardNofileLimit, onPath } from './lib/platform.js';
import { killAllSpawned, startServer, type Placement } from './lib/processes.js';
import { serverSpecs, type ServerName } from './servers.js';

interface ScalePoint {
  server: ServerName;
  conns: number;
  opened: number;
  kibPerConn: number;
  handshakeSeconds: number;
  idleCpu: number;
  publishToAllMs: number;
  delivered: number;
  error: string | null;
}

/** Loopback source addresses (127.2.0.1…) the connections are spread over: ports are per address. */
const SOURCE_ADDRS = 250;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function measure(
  name: ServerName,
  conns: number,
  heartbeatMs: number,
  server: Placement,
  loadgen: Placement,
): Promise<ScalePoint> {
  const spec = serverSpecs().find((s) => s.name === name)!;
  const args =
    name === 'ringside'
      ? spec.args.map((a, i) => (spec.args[i - 1] === '--heartbeat-ms' ? String(heartbeatMs) : a))
      : spec.args;
  const point: ScalePoint = {
    server: name,
    conns,
    opened: 0,
    kibPerConn: NaN,
    handshakeSeconds: NaN,
    idleCpu: NaN,
    publishToAllMs: NaN,
    delivered: 0,
    error: null,
  };
  // 1. Idle: open every connection, hold them; CPU sampled over the held period.
  const idleServer = await startServer(spec.command, args, server);
  try {
    await sleep(300);
    const settleMs = Math.max(6_000, 2 * heartbeatMs + 1_000);
    const samples: Array<[number, number]> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push([Date.now(), cpuSeconds(idleServer.pid)]);
        await sleep(250);
      }
    })();
    const started = Date.now();
    const run = await runLoadgen(
      'idle',
      {
        port: idleServer.port,
        serverPid: idleServer.pid,
        conns,
        maxConnecting: 256,
        sourceAddrs: SOURCE_ADDRS,
        settleMs,
        connectTimeoutMs: 120_000,
      },
      loadgen,
      180_000,
    );
    sampling = false;
    await sampler;
    const r = run.result;
    point.opened = r.opened;
    point.kibPerConn = r.bytes_per_conn / 1024;
    point.handshakeSeconds = r.open_s;
    // CPU over the held period, leaving out its first second (the last handshakes' GC).
    const from = started + r.open_s * 1000 + 1_000;
    const window = samples.filter(([t]) => t >= from);
    if (window.length >= 2) {
      const [t0, c0] = window[0]!;
      const [t1, c1] = window[window.length - 1]!;
      point.idleCpu = (c1 - c0) / ((t1 - t0) / 1000);
    }
    if (!r.ok) point.error = r.first_error || 'idle run failed';
  } finally {
    await idleServer.stop();
  }
  // 2. One 64-byte message published to every subscriber: when did the last one get it?
  const bcServer = await startServer(spec.command, args, server);
  try {
    await sleep(300);
    const run = await runLoadgen(
      'broadcast',
      {
        port: bcServer.port,
        serverPid: bcServer.pid,
        conns: conns - 1, // plus the publisher
        size: 64,
        rate: 1,
        durationMs: 1_000,
        drainMs: 10_000,
        lateMs: 10_000,
        settleMs: 1_000,
        maxConnecting: 256,
        sourceAddrs: SOURCE_ADDRS,
        connectTimeoutMs: 120_000,
      },
      loadgen,
      240_000,
    );
    const r = run.result;
    point.publishToAllMs = r.latency_ms.max;
    point.delivered = r.delivered;
    if (r.lost > 0 || !r.ok) point.error ??= r.first_error || `${r.lost} deliveries lost`;
  } finally {
    await bcServer.stop();
  }
  return point;
}

function svg(points: ScalePoint[], date: string): string {
  const metrics: Array<[keyof ScalePoint, string]> = [
    ['kibPerConn', 'KiB per idle connection'],
    ['idleCpu', 'CPU while idle (cores)'],
    ['handshakeSeconds', 'seconds to open all'],
    ['publishToAllMs', 'ms until the last subscriber got one message'],
  ];
  const servers = [...new Set(points.map((p) => p.server))];
  const counts = [...new Set(points.map((p) => p.conns))];
  const colors: Record<string, string> = { ringside: '#2563eb', ws: '#9ca3af', bun: '#f59e0b' };
  const panelW = 420;
  const panelH = 200;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * panelW + 30}" height="${2 * panelH + 90}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">One process, idle connections with the heartbeat on (${date})</text>`,
  ];
  metrics.forEach(([key, title], m) => {
    const x0 = 10 + (m % 2) * (panelW + 10);
    const y0 = 40 + Math.floor(m / 2) * (panelH + 20);
    const values = points.map((p) => Number(p[key])).filter((v) => Number.isFinite(v));
    const max = Math.max(1e-9, ...values);
    out.push(`<text x="${x0}" y="${y0 + 12}" font-weight="bold">${title}</text>`);
    const groupW = (panelW - 20) / counts.length;
    const barW = (groupW - 10) / servers.length;
    counts.forEach((n, g) => {
      const gx = x0 + 10 + g * groupW;
      out.push(
        `<text x="${gx + (groupW - 10) / 2}" y="${y0 + panelH - 2}" text-anchor="middle">${n.toLocaleString('en-US')}</text>`,
      );
      servers.forEach((s, k) => {
        const p = points.find((q) => q.server === s && q.conns === n);
        const v = p ? Number(p[key]) : NaN;
        if (!Number.isFinite(v)) return;
        const h = (v / max) * (panelH - 50);
        const bx = gx + k * barW;
        const by = y0 + panelH - 16 - h;
        out.push(
          `<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[s]}"/>`,
        );
        out.push(
          `<text x="${(bx + barW / 2).toFixed(1)}" y="${(by - 3).toFixed(1)}" text-anchor="middle">${v < 10 ? v.toFixed(2) : Math.round(v)}</text>`,
        );
      });
    });
  });
  servers.forEach((s, k) => {
    const y = 2 * panelH + 75;
    out.push(`<rect x="${10 + k * 100}" y="${y}" width="10" height="10" fill="${colors[s]}"/>`);
    out.push(`<text x="${24 + k * 100}" y="${y + 9}">${s}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  process.on('SIGINT', () => {
    killAllSpawned();
    process.exit(130);
  });
  buildLoadgen();
  const hard = hardNofileLimit();
  let counts = arg('--conns', '1000,5000,10000,19000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  if (hard !== null && counts.some((n) => n + 200 > hard)) {
    console.log(`open-file hard limit is ${hard}: counts above ${hard - 200} are lowered to it`);
    counts = [...new Set(counts.map((n) => Math.min(n, hard - 200)))];
  }
  const names = arg('--servers', 'ringside,ws').split(',') as ServerName[];
  const heartbeatMs = Number(arg('--heartbeat-ms', '10000'));
  const pin = onPath('taskset') !== null && coreCount() >= 2;
  const nofile = onPath('prlimit') && hard ? hard : null;
  const server: Placement = { core: pin ? 0 : null, nofile };
  const loadgen: Placement = { core: pin ? 1 : null, nofile: null };
  const points: ScalePoint[] = [];
  for (const conns of counts) {
    for (const name of names) {
      console.log(`${name} with ${conns} connections ...`);
      const p = await measure(name, conns, heartbeatMs, server, loadgen);
      points.push(p);
      console.log(
        `  ${p.kibPerConn.toFixed(2)} KiB/conn, idle CPU ${p.idleCpu.toFixed(3)} cores, ` +
          `all open in ${p.handshakeSeconds.toFixed(2)} s, publish to all ${p.publishToAllMs} ms` +
          (p.error ? ` (${p.error})` : ''),
      );
    }
  }
  const date = new Date().toISOString();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const report = {
    date,
    node: process.version,
    cpu: cpuModel(),
    nofileHardLimit: hard,
    heartbeatMs,
    points,
  };
  writeFileSync(path.join(RESULTS_DIR, 'scale.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(RESULTS_DIR, 'scale.svg'), svg(points, date.slice(0, 10)));
  console.log('wrote bench/results/scale.json and scale.svg');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  killAllSpawned();
  process.exit(1);
});
