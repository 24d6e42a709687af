// A hand-written SVG of a run: one group of horizontal bars per row (one bar per
// server, scaled to the largest value in that row, since units differ between
// rows), the absolute value at the end of each bar and the ringside/ws ratio
// on the right, green when the row's target is met.
import { formatRatio, formatValue, type BenchReport } from './report.js';
import type { ServerName } from './servers.js';

const COLORS: Record<ServerName, string> = { ringside: '#2563eb', ws: '#9ca3af', bun: '#f59e0b' };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderSvg(report: BenchReport): string {
  const names = report.servers.filter((s) => s.ran).map((s) => s.name);
  const labelW = 250;
  const barW = 560;
  const ratioW = 150;
  const barH = 18;
  const gap = 4;
  const rowH = Math.max(1, names.length) * (barH + gap) + 26;
  const top = 64;
  const width = labelW + barW + ratioW + 20;
  const height = top + report.rows.length * rowH + 50;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="bold">ringside vs ws${names.includes('bun') ? ' vs Bun' : ''}${report.quick ? ' (quick run)' : ''}</text>`,
    `<text x="10" y="42" fill="#555">${esc(`${report.date} · node ${report.node} · ${report.cpu} · ${report.pinning}`)}</text>`,
    `<text x="${labelW + barW + 10}" y="${top - 6}" fill="#555">ringside/ws (target)</text>`,
  ];
  report.rows.forEach((r, i) => {
    const y0 = top + i * rowH;
    const values = names.map((n) => r.cells[n]?.value ?? null);
    const max = Math.max(0, ...values.map((v) => v ?? 0));
    out.push(`<text x="10" y="${y0 + 14}" font-weight="bold">${esc(r.row.title)}</text>`);
    out.push(
      `<text x="10" y="${y0 + 30}" fill="#555">${esc(r.row.unit)}${r.row.better === 'lower' ? ', lower is better' : ''}</text>`,
    );
    names.forEach((n, k) => {
      const y = y0 + 4 + k * (barH + gap);
      const v = values[k];
      // leave room after the longest bar for its label
      const w = v !== null && max > 0 ? Math.max(1, (v / max) * (barW - 180)) : 0;
      out.push(
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[n]}"/>`,
      );
      out.push(
        `<text x="${labelW + w + 6}" y="${y + 13}">${esc(`${n} ${formatValue(r.row, v)}`)}</text>`,
      );
    });
    const met = r.targetMet;
    const color = met === null ? '#555' : met ? '#15803d' : '#b91c1c';
    out.push(
      `<text x="${labelW + barW + 10}" y="${y0 + 18}" font-size="16" font-weight="bold" fill="${color}">${esc(r.ratio === null ? 'n/a' : formatRatio(r.ratio))}</text>`,
    );
    out.push(
      `<text x="${labelW + barW + 10}" y="${y0 + 34}" fill="${color}">${esc(r.targetText)}</text>`,
    );
    out.push(
      `<line x1="10" x2="${width - 10}" y1="${y0 + rowH - 4}" y2="${y0 + rowH - 4}" stroke="#e5e7eb"/>`,
    );
  });
  const ly = top + report.rows.length * rowH + 20;
  names.forEach((n, k) => {
    out.push(`<rect x="${10 + k * 110}" y="${ly}" width="12" height="12" fill="${COLORS[n]}"/>`);
    out.push(`<text x="${28 + k * 110}" y="${ly + 11}">${n}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
