// Runs the C load generator once and returns its JSON result line, typed per mode.
import { buildLoadgen } from './loadgen-binary.js';
import { runBounded, tail, type Placement } from './processes.js';

interface Common {
  ok: boolean;
  opened: number;
  open_failures: number;
  loadgen_cpu: number;
  /** -1 when no server pid was given */
  server_cpu: number;
  errors: number;
  first_error: string;
}

export interface EchoResult extends Common {
  mode: 'echo';
  conns: number;
  size: number;
  window: number;
  opcode: number;
  warmup_s: number;
  measure_s: number;
  messages: number;
  msgs_per_s: number;
  mib_per_s: number;
  sent_total: number;
  received_total: number;
}

export interface BroadcastResult extends Common {
  mode: 'broadcast';
  subscribers: number;
  subscribers_open: number;
  size: number;
  rate: number;
  duration_s: number;
  offered: number;
  published: number;
  publish_s: number;
  stopped: string;
  expected: number;
  delivered: number;
  lost: number;
  late: number;
  late_ms: number;
  tick_ms: number;
  gaps: number;
  deliveries_per_s: number;
  latency_ms: { p50: number; p99: number; max: number };
  sustained: boolean;
}

export interface IdleResult extends Common {
  mode: 'idle';
  conns: number;
  alive_after_settle: number;
  open_s: number;
  handshakes_per_s: number;
  rss_before_kib: number;
  rss_after_kib: number;
  bytes_per_conn: number;
}

interface ModeResults {
  echo: EchoResult;
  broadcast: BroadcastResult;
  idle: IdleResult;
}

export interface LoadgenRun<M extends keyof ModeResults> {
  result: ModeResults[M];
  /** 0 = clean, 1 = server misbehaved or connections failed */
  exitCode: number | null;
  stderr: string;
}

export type LoadgenOptions = Record<string, number | string | boolean | undefined>;

/** `loadgen <mode> --key value ...`; camelCase keys become --kebab-case flags. */
export async function runLoadgen<M extends keyof ModeResults>(
  mode: M,
  options: LoadgenOptions,
  placement: Placement = { core: null, nofile: null },
  timeoutMs = 120_000,
): Promise<LoadgenRun<M>> {
  const bin = buildLoadgen();
  const args: string[] = [mode];
  const all: LoadgenOptions = { ...options, timeoutMs };
  for (const [key, value] of Object.entries(all)) {
    if (value === undefined || value === false) continue;
    args.push('--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
    if (value !== true) args.push(String(value));
  }
  // the loadgen stops itself at timeoutMs; the extra margin only catches a hang
  const run = await runBounded(bin, args, placement, timeoutMs + 5_000);
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (run.timedOut || !line) {
    const why = run.timedOut ? `timed out after ${timeoutMs + 5_000} ms` : 'printed no result';
    throw new Error(
      `loadgen ${args.join(' ')} ${why} (exit ${run.code ?? run.signal}); stderr:\n${tail(run.stderr)}`,
    );
  }
  return { result: JSON.parse(line) as ModeResults[M], exitCode: run.code, stderr: run.stderr };
}
