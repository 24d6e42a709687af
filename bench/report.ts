// Turns the cells of a run into ratios, target checks and a plain-text table.
import type { Cell, RowDef, Target } from './rows.js';
import type { ServerName } from './servers.js';

export interface RowResult {
  row: RowDef;
  cells: Partial<Record<ServerName, Cell>>;
  /** ringside / ws (and ringside / bun), null when either is missing */
  ratio: number | null;
  ratioBun: number | null;
  targetText: string;
  /** null when ringside has no number */
  targetMet: boolean | null;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  groups: string[];
  node: string;
  cpu: string;
  cores: number;
  pinning: string;
  servers: { name: ServerName; ran: boolean; reason: string | null }[];
  rows: RowResult[];
}

function ratioOf(a: Cell | undefined, b: Cell | undefined): number | null {
  if (!a || !b || a.value === null || b.value === null || b.value <= 0) return null;
  return a.value / b.value;
}

export function targetText(t: Target, unit: string): string {
  switch (t.kind) {
    case 'ratio-at-least':
      return `>=${t.ratio}x`;
    case 'ratio-at-most':
      return `<=${t.ratio}x`;
    case 'value-at-least':
      return `>=${t.value}${unit.startsWith('publishes/s') ? '/s' : ` ${unit}`}`;
    case 'value-at-most':
      return `<=${t.value} ${unit}`;
  }
}

export function rowResult(row: RowDef, cells: Partial<Record<ServerName, Cell>>): RowResult {
  const ratio = ratioOf(cells.ringside, cells.ws);
  const value = cells.ringside?.value ?? null;
  const t = row.target;
  let targetMet: boolean | null = null;
  if (t.kind === 'value-at-least') targetMet = value === null ? null : value >= t.value;
  else if (t.kind === 'value-at-most') targetMet = value === null ? null : value <= t.value;
  else if (ratio !== null)
    targetMet = t.kind === 'ratio-at-least' ? ratio >= t.ratio : ratio <= t.ratio;
  return {
    row,
    cells,
    ratio,
    ratioBun: ratioOf(cells.ringside, cells.bun),
    targetText: targetText(t, row.unit),
    targetMet,
  };
}

export function formatValue(row: RowDef, value: number | null | undefined): string {
  if (value === null || value === undefined) return 'failed';
  if (row.unit.startsWith('KiB')) return value.toFixed(2);
  if (row.unit === 'ms' || row.unit === 'MiB') return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

export const formatRatio = (r: number | null): string => (r === null ? '-' : `${r.toFixed(2)}x`);

const cpuText = (c: Cell | undefined): string =>
  !c || (c.serverCpu === null && c.loadgenCpu === null)
    ? '-'
    : `${c.serverCpu?.toFixed(2) ?? '?'}/${c.loadgenCpu?.toFixed(2) ?? '?'}`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  '),
    )
    .join('\n');
}

export function renderText(report: BenchReport): string {
  const names = report.servers.filter((s) => s.ran).map((s) => s.name);
  const withBun = names.includes('bun');
  const header = [
    'row',
    'unit',
    ...names,
    'ringside/ws',
    ...(withBun ? ['ringside/bun'] : []),
    'target',
    'met',
    ...names.map((n) => `cpu ${n} srv/lg`),
  ];
  const body = report.rows.map((r) => [
    r.row.title,
    r.row.unit,
    ...names.map((n) => formatValue(r.row, r.cells[n]?.value)),
    formatRatio(r.ratio),
    ...(withBun ? [formatRatio(r.ratioBun)] : []),
    r.targetText,
    r.targetMet === null ? '-' : r.targetMet ? 'yes' : 'NO',
    ...names.map((n) => cpuText(r.cells[n])),
  ]);
  const lines = [
    `ringside benchmark, ${report.date}${report.quick ? ' (--quick: short runs, smoke check only)' : ''}`,
    `node ${report.node}, ${report.cpu}, ${report.cores} cores; ${report.pinning}`,
    ...report.servers.filter((s) => !s.ran).map((s) => `skipped ${s.name}: ${s.reason}`),
    '',
    table([header, ...body]),
    '',
    'cpu srv/lg = cores used by the server / by the load generator during the measurement.',
    '',
    'details:',
  ];
  for (const r of report.rows) {
    for (const n of names) {
      const c = r.cells[n];
      if (c?.detail) lines.push(`  ${r.row.id} ${n}: ${c.detail}`);
    }
  }
  const errors = report.rows.flatMap((r) =>
    names
      .filter((n) => r.cells[n]?.error)
      .map((n) => `  ${r.row.id} ${n}: ${r.cells[n]!.error!.replace(/\n/g, '\n    ')}`),
  );
  if (errors.length) lines.push('', 'errors:', ...errors);
  return lines.join('\n');
}
