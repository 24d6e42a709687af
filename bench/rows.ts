// What the benchmark measures: each group runs the load generator against one
// fresh server process and yields one or more table rows (cells).
import { measureFairness } from './lib/fairness.js';
import { runLoadgen, type BroadcastResult } from './lib/loadgen.js';
import { startServer, tail, type Placement, type ServerProcess } from './lib/processes.js';
import type { ServerSpec } from './servers.js';

export type GroupId = 'echo-32' | 'echo-4k' | 'echo-64k' | 'broadcast' | 'idle' | 'fairness';
export const GROUP_IDS: GroupId[] = [
  'echo-32',
  'echo-4k',
  'echo-64k',
  'broadcast',
  'idle',
  'fairness',
];

export interface Cell {
  /** the headline number, null when the measurement failed */
  value: number | null;
  /** CPU used during the measurement, in cores (1.0 = one core busy all the time) */
  serverCpu: number | null;
  loadgenCpu: number | null;
  error: string | null;
  /** a short extra line for the table */
  detail: string | null;
  raw: unknown;
}

export type Target =
  | { kind: 'ratio-at-least'; ratio: number }
  | { kind: 'ratio-at-most'; ratio: number }
  | { kind: 'value-at-least'; value: number }
  | { kind: 'value-at-most'; value: number };

export interface RowDef {
  id: string;
  group: GroupId;
  title: string;
  unit: string;
  better: 'higher' | 'lower';
  target: Target;
}

export const ROWS: RowDef[] = [
  {
    id: 'echo-32',
    group: 'echo-32',
    title: 'echo 32 B, 100 conns',
    unit: 'msg/s',
    better: 'higher',
    target: { kind: 'ratio-at-least', ratio: 3 },
  },
  {
    id: 'echo-4k',
    group: 'echo-4k',
    title: 'echo 4 KiB, 100 conns',
    unit: 'msg/s',
    better: 'higher',
    target: { kind: 'ratio-at-least', ratio: 2 },
  },
  {
    id: 'echo-64k',
    group: 'echo-64k',
    title: 'echo 64 KiB, 100 conns',
    unit: 'msg/s',
    better: 'higher',
    target: { kind: 'ratio-at-least', ratio: 1.5 },
  },
  {
    id: 'broadcast',
    group: 'broadcast',
    title: 'broadcast 64 B to 1,000 subs',
    unit: 'publishes/s sustained',
    better: 'higher',
    target: { kind: 'value-at-least', value: 3000 },
  },
  {
    id: 'handshakes',
    group: 'idle',
    title: 'handshakes opening 10k idle',
    unit: 'handshakes/s',
    better: 'higher',
    target: { kind: 'ratio-at-least', ratio: 1.3 },
  },
  {
    id: 'memory',
    group: 'idle',
    title: 'memory per idle connection',
    unit: 'KiB/conn',
    better: 'lower',
    target: { kind: 'ratio-at-most', ratio: 0.8 },
  },
  {
    id: 'fairness-p99',
    group: 'fairness',
    title: 'ping p99 beside a 32 B flood',
    unit: 'ms',
    better: 'lower',
    target: { kind: 'value-at-most', value: 20 },
  },
  {
    id: 'fairness-rss',
    group: 'fairness',
    title: 'server RSS growth in the flood',
    unit: 'MiB',
    better: 'lower',
    target: { kind: 'value-at-most', value: 32 },
  },
];

export interface Env {
  quick: boolean;
  serverPlacement: Placement;
  loadgenPlacement: Placement;
  broadcastRates: number[];
  idleConns: number;
  log(line: string): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function failed(error: string, raw: unknown = null): Cell {
  return { value: null, serverCpu: null, loadgenCpu: null, error, detail: null, raw };
}

/**
 * A fresh server for one measurement, stopped (by pid) whatever happens.
 * `died` explains it if the server ended by itself during the measurement.
 */
async function withServer<T>(
  spec: ServerSpec,
  env: Env,
  fn: (server: ServerProcess) => Promise<T>,
): Promise<{ value: T; died: string | null }> {
  const server = await startServer(spec.command, spec.args, env.serverPlacement);
  try {
    await sleep(300); // let start-up work finish before measuring CPU and memory
    const value = await fn(server);
    const status = server.exitStatus();
    const died =
      status === null
        ? null
        : `${spec.name} server ended during the run (${status}); its output:\n${tail(server.output())}`;
    return { value, died };
  } finally {
    await server.stop();
  }
}

const joinErrors = (...errors: (string | null | undefined)[]): string | null =>
  errors.filter((e) => e).join('\n') || null;

async function measureEcho(
  spec: ServerSpec,
  env: Env,
  size: number,
  window: number,
): Promise<Cell> {
  const warmupMs = env.quick ? 300 : 1_000;
  const durationMs = env.quick ? 1_000 : 5_000;
  const { value: run, died } = await withServer(spec, env, (server) =>
    runLoadgen(
      'echo',
      {
        port: server.port,
        serverPid: server.pid,
        conns: 100,
        size,
        window,
        warmupMs,
        durationMs,
        connectTimeoutMs: 20_000,
      },
      env.loadgenPlacement,
      warmupMs + durationMs + 30_000,
    ),
  );
  const r = run.result;
  const error = joinErrors(
    r.ok && run.exitCode === 0 ? null : r.first_error || `loadgen exit code ${run.exitCode}`,
    died,
  );
  return {
    value: error ? null : r.msgs_per_s,
    serverCpu: r.server_cpu >= 0 ? r.server_cpu : null,
    loadgenCpu: r.loadgen_cpu,
    error,
    detail: `${r.mib_per_s.toFixed(1)} MiB/s each way, window ${window}`,
    raw: r,
  };
}

interface BroadcastStep {
  rate: number;
  result: BroadcastResult;
  error: string | null;
}

/** One offered rate against a fresh server. */
async function broadcastStep(spec: ServerSpec, env: Env, rate: number): Promise<BroadcastStep> {
  const durationMs = env.quick ? 1_000 : 3_000;
  const { value: run, died } = await withServer(spec, env, (server) =>
    runLoadgen(
      'broadcast',
      {
        port: server.port,
        serverPid: server.pid,
        conns: 1_000,
        size: 64,
        rate,
        durationMs,
        drainMs: 2_000,
        lateMs: 1_000,
        settleMs: 200,
        maxConnecting: 256,
        connectTimeoutMs: 20_000,
      },
      env.loadgenPlacement,
      durationMs + 40_000,
    ),
  );
  const r = run.result;
  return { rate, result: r, error: joinErrors(r.first_error, died) };
}

/**
 * Offered rates in ascending order, stopping after the first one not sustained
 * (every delivery within late_ms, none lost): higher rates would only fail too.
 */
async function measureBroadcast(spec: ServerSpec, env: Env): Promise<Cell> {
  const steps: BroadcastStep[] = [];
  let best: BroadcastStep | null = null;
  for (const rate of env.broadcastRates) {
    const step = await broadcastStep(spec, env, rate);
    steps.push(step);
    const r = step.result;
    env.log(
      `    ${rate}/s: ${Math.round(r.deliveries_per_s)} deliveries/s, lost ${r.lost}, late ${r.late}` +
        `, p99 ${r.latency_ms.p99} ms` +
        (step.error ? ` (${step.error.split('\n')[0]})` : ''),
    );
    if (!r.sustained || step.error) break;
    best = step;
  }
  const shown = best ?? steps[0]!;
  const last = steps[steps.length - 1]!;
  const connectFailed = !last.result.ok;
  return {
    value: connectFailed && !best ? null : (best?.rate ?? 0),
    serverCpu: shown.result.server_cpu >= 0 ? shown.result.server_cpu : null,
    loadgenCpu: shown.result.loadgen_cpu,
    error: last === best ? null : last.error,
    detail: steps
      .map((s) => {
        const r = s.result;
        if (!r.ok) return `${s.rate}/s: error`;
        return (
          `${s.rate}/s ${r.sustained && !s.error ? 'ok' : 'FAIL'}: ${fmtK(r.deliveries_per_s)} deliveries/s, ` +
          `${fmtK(r.lost)} lost, ${fmtK(r.late)} late, p99 ${r.latency_ms.p99} ms`
        );
      })
      .join('; '),
    raw: steps,
  };
}

async function measureIdle(spec: ServerSpec, env: Env): Promise<[Cell, Cell]> {
  const { value: run, died } = await withServer(spec, env, (server) =>
    runLoadgen(
      'idle',
      {
        port: server.port,
        serverPid: server.pid,
        conns: env.idleConns,
        maxConnecting: 256,
        settleMs: 1_000,
        connectTimeoutMs: 60_000,
      },
      env.loadgenPlacement,
      90_000,
    ),
  );
  const r = run.result;
  const error = joinErrors(
    r.ok && run.exitCode === 0 ? null : r.first_error || `loadgen exit code ${run.exitCode}`,
    died,
  );
  const cpu = { serverCpu: r.server_cpu >= 0 ? r.server_cpu : null, loadgenCpu: r.loadgen_cpu };
  return [
    {
      value: error ? null : r.handshakes_per_s,
      ...cpu,
      error,
      detail: `${r.opened} opened in ${r.open_s.toFixed(2)} s, at most 256 handshakes at once`,
      raw: r,
    },
    {
      value: error ? null : r.bytes_per_conn / 1024,
      ...cpu,
      error,
      detail: `VmRSS ${r.rss_before_kib} -> ${r.rss_after_kib} KiB for ${r.opened} connections`,
      raw: r,
    },
  ];
}

/**
 * One peer floods /echo with 32-byte messages (its own process, on the load generator's
 * core) while a light client in this process pings every 10 ms.
 */
async function measureFairnessRows(spec: ServerSpec, env: Env): Promise<[Cell, Cell]> {
  const core = env.loadgenPlacement.core;
  const { value: r, died } = await withServer(spec, env, (server) =>
    measureFairness(server.port, server.pid, {
      measureMs: env.quick ? 1_500 : 4_000,
      pingIntervalMs: 10,
      floodPrefix: core === null ? [] : ['taskset', '-c', String(core)],
    }),
  );
  const detail =
    `pings p50 ${r.p50Ms.toFixed(1)} / p90 ${r.p90Ms.toFixed(1)} / p99 ${r.p99Ms.toFixed(1)} / ` +
    `max ${r.maxMs.toFixed(1)} ms (${r.pings} pings, ${r.lost} unanswered after 300 ms); ` +
    `flood ${fmtK(r.floodSent)} sent, ${fmtK(r.floodEchoed)} echoed`;
  const base = { serverCpu: null, loadgenCpu: null, error: died, raw: r };
  return [
    { ...base, value: died ? null : r.p99Ms, detail },
    {
      ...base,
      value: died ? null : r.rssGrowthBytes / 1024 / 1024,
      detail: 'highest VmRSS during the flood minus VmRSS before it',
    },
  ];
}

/** Runs one group against one server; the cells are keyed by row id. */
export async function measureGroup(
  group: GroupId,
  spec: ServerSpec,
  env: Env,
): Promise<Record<string, Cell>> {
  try {
    switch (group) {
      case 'echo-32':
        return { 'echo-32': await measureEcho(spec, env, 32, 32) };
      case 'echo-4k':
        return { 'echo-4k': await measureEcho(spec, env, 4096, 32) };
      case 'echo-64k':
        // a smaller window: 8 x 64 KiB per connection already fills the socket buffers
        return { 'echo-64k': await measureEcho(spec, env, 65536, 8) };
      case 'broadcast':
        return { broadcast: await measureBroadcast(spec, env) };
      case 'idle': {
        const [handshakes, memory] = await measureIdle(spec, env);
        return { handshakes: handshakes!, memory: memory! };
      }
      case 'fairness': {
        const [p99, rss] = await measureFairnessRows(spec, env);
        return { 'fairness-p99': p99, 'fairness-rss': rss };
      }
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const rows = ROWS.filter((r) => r.group === group);
    return Object.fromEntries(rows.map((r) => [r.id, failed(message)]));
  }
}

function fmtK(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(Math.round(n));
}
