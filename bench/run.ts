// `npm run bench`: every row for ringside and ws (and Bun when installed) in one
// run, the same C load generator driving each, servers pinned to core 0 and the
// load generator to core 1. Prints a table of ratios and writes JSON and SVG to
// bench/results/. See docs/benchmarks.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderSvg } from './chart.js';
import { buildLoadgen } from './lib/loadgen-binary.js';
import { RESULTS_DIR } from './lib/paths.js';
import { coreCount, cpuModel, hardNofileLimit, onPath } from './lib/platform.js';
import { killAllSpawned, type Placement } from './lib/processes.js';
import { renderText, rowResult, type BenchReport } from './report.js';
import { GROUP_IDS, ROWS, measureGroup, type Cell, type Env, type GroupId } from './rows.js';
import { serverSpecs, type ServerName } from './servers.js';

const USAGE = `usage: node dist/bench/run.js [options]
  --quick              short runs (a smoke check; results go to bench/results/partial.*)
  --only <rows>        comma list of: ${GROUP_IDS.join(', ')} (handshakes and memory are both "idle")
  --servers <names>    comma list of: ringside, ws, bun (default: every one available)
  --bun <path>         the Bun binary (else RINGSIDE_BENCH_BUN, else bun on PATH)
  --node-flags "<f>"   flags for both Node servers alike (e.g. "--max-semi-space-size=1")
  --repeat <n>         run echo and idle rows n times on fresh servers, report the median (default 1)
  --rates <list>       broadcast offered publishes/s, ascending (default 80,300,1000,3000)
  --idle-conns <n>     connections for the idle row (default 10000)
  --out <name>         results file name without extension (default latest, or partial)`;

interface Options {
  quick: boolean;
  only: GroupId[];
  servers: ServerName[] | null;
  bun: string | null;
  repeat: number;
  nodeFlags: string[];
  rates: number[];
  idleConns: number;
  out: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false,
    only: [],
    servers: null,
    bun: null,
    repeat: 1,
    nodeFlags: [],
    rates: [80, 300, 1000, 3000],
    idleConns: 10_000,
    out: null,
  };
  const list = (v: string | undefined): string[] => (v ?? '').split(',').filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--only') {
      for (const id of list(next())) {
        const group =
          ROWS.find((r) => r.id === id)?.group ?? (GROUP_IDS as string[]).find((g) => g === id);
        if (!group) fail(`unknown row "${id}"`);
        if (!o.only.includes(group as GroupId)) o.only.push(group as GroupId);
      }
    } else if (a === '--servers') o.servers = list(next()) as ServerName[];
    else if (a === '--bun') o.bun = next();
    else if (a === '--node-flags')
      o.nodeFlags = next()
        .split(/\s+/)
        .filter((f) => f !== '');
    else if (a === '--repeat') o.repeat = Math.max(1, Math.min(9, Number(next()) || 1));
    else if (a === '--rates')
      o.rates = list(next())
        .map(Number)
        .filter((n) => n > 0);
    else if (a === '--idle-conns') o.idleConns = Math.max(1, Number(next()) || 1);
    else if (a === '--out') o.out = next();
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${a}`);
  }
  if (o.rates.length === 0) fail('--rates needs at least one rate');
  o.rates.sort((x, y) => x - y);
  if (o.quick) {
    o.idleConns = Math.min(o.idleConns, 2_000);
    if (!argv.includes('--rates')) o.rates = [80, 1000];
  }
  return o;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** The cell with the median value; failures only when every run failed. */
function median(cells: Cell[]): Cell {
  const ok = cells.filter((c) => c.value !== null).sort((a, b) => a.value! - b.value!);
  return ok.length ? ok[Math.floor((ok.length - 1) / 2)]! : cells[0]!;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAllSpawned();
      process.exit(130);
    });
  }
  buildLoadgen();

  const cores = coreCount();
  const pin = onPath('taskset') !== null && cores >= 2;
  const hard = hardNofileLimit();
  const nofile = onPath('prlimit') && hard ? hard : null;
  if (hard !== null && opts.idleConns + 200 > hard) {
    console.log(`open-file hard limit is ${hard}: idle row lowered to ${hard - 200} connections`);
    opts.idleConns = Math.max(1, hard - 200);
  }
  const serverPlacement: Placement = { core: pin ? 0 : null, nofile };
  const loadgenPlacement: Placement = { core: pin ? 1 : null, nofile: null }; // it raises its own
  const pinning =
    (pin
      ? 'servers pinned to core 0, load generator to core 1 (taskset)'
      : 'no pinning (taskset missing or a single core)') +
    (opts.nodeFlags.length ? `; both Node servers run with ${opts.nodeFlags.join(' ')}` : '');

  const specs = serverSpecs(opts.nodeFlags, opts.bun).filter(
    (s) => !opts.servers || opts.servers.includes(s.name),
  );
  const running = specs.filter((s) => s.unavailable === null);
  for (const s of specs) if (s.unavailable) console.log(`skipping ${s.name}: ${s.unavailable}`);
  if (running.length === 0) fail('no server to benchmark');

  const groups = opts.only.length ? GROUP_IDS.filter((g) => opts.only.includes(g)) : GROUP_IDS;
  const env: Env = {
    quick: opts.quick,
    serverPlacement,
    loadgenPlacement,
    broadcastRates: opts.rates,
    idleConns: opts.idleConns,
    log: (line) => console.log(line),
  };
  const cells: Record<string, Partial<Record<ServerName, Cell>>> = {};
  for (const [gi, group] of groups.entries()) {
    // alternate which server goes first, so slow drift on a shared machine evens out
    const order = gi % 2 ? [...running].reverse() : running;
    for (const spec of order) {
      const repeats = group === 'broadcast' ? 1 : opts.repeat;
      const runs: Record<string, Cell>[] = [];
      for (let k = 0; k < repeats; k++) {
        console.log(
          `${group} on ${spec.name}${repeats > 1 ? ` (run ${k + 1}/${repeats})` : ''} ...`,
        );
        runs.push(await measureGroup(group, spec, env));
      }
      for (const rowId of Object.keys(runs[0]!)) {
        const cell = median(runs.map((r) => r[rowId]!));
        (cells[rowId] ??= {})[spec.name] = cell;
        const row = ROWS.find((r) => r.id === rowId)!;
        console.log(
          `  ${rowId} ${spec.name}: ${cell.value === null ? `failed: ${cell.error?.split('\n')[0]}` : `${cell.value.toFixed(1)} ${row.unit}`}`,
        );
      }
    }
  }

  const report: BenchReport = {
    date: new Date().toISOString(),
    quick: opts.quick,
    groups,
    node: process.version,
    cpu: cpuModel(),
    cores,
    pinning,
    servers: specs.map((s) => ({
      name: s.name,
      ran: s.unavailable === null,
      reason: s.unavailable,
    })),
    rows: ROWS.filter((r) => groups.includes(r.group)).map((r) =>
      rowResult(
        r.group === 'idle'
          ? { ...r, title: r.title.replace('10k', `${opts.idleConns / 1000}k`) }
          : r,
        cells[r.id] ?? {},
      ),
    ),
  };
  console.log('\n' + renderText(report));

  const name = opts.out ?? (opts.quick || opts.only.length ? 'partial' : 'latest');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonPath = path.join(RESULTS_DIR, `${name}.json`);
  const svgPath = path.join(RESULTS_DIR, `${name}.svg`);
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(svgPath, renderSvg(report));
  console.log(
    `\nwrote ${path.relative(process.cwd(), jsonPath)} and ${path.relative(process.cwd(), svgPath)}`,
  );

  const failures = report.rows.flatMap((r) =>
    Object.values(r.cells).filter((c) => c.value === null),
  );
  if (failures.length) {
    console.log(`${failures.length} measurement(s) failed (see errors above)`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  killAllSpawned();
  process.exit(1);
});
