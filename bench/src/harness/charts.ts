/**
 * The bench's pictures, as SVG it writes itself (no chart library): one horizontal bar per target
 * for a figure, and a line per target for memory against the number of connections. Colours say
 * what a row is: the bare `node:http` baselines, cometkit, the peers.
 */
import type { Kind } from './targets';

const COLOURS: Record<Kind, string> = {
  baseline: '#6b7280',
  reference: '#9ca3af',
  cometkit: '#2563eb',
  peer: '#d97706',
  diagnostic: '#a78bfa',
};

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One bar of a {@link barChart}. */
export interface Bar {
  label: string;
  value: number | undefined;
  kind: Kind;
}

/** A horizontal bar chart: `title`, then one labelled bar per row, its value written at its end. */
export function barChart(title: string, unit: string, bars: readonly Bar[]): string {
  const rows = bars.filter((b) => b.value !== undefined && Number.isFinite(b.value));
  const max = Math.max(...rows.map((b) => b.value!), 1e-9);
  const labelWidth = 290;
  const barWidth = 420;
  const rowHeight = 22;
  const top = 40;
  const height = top + rows.length * rowHeight + 30;
  const width = labelWidth + barWidth + 110;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  rows.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (bar.value! / max) * barWidth);
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${COLOURS[bar.kind]}"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 14}">${formatValue(bar.value!)} ${escape(unit)}</text>`,
    );
  });
  parts.push(legend(10, height - 12), '</svg>');
  return parts.join('\n');
}

/** One line of a {@link lineChart}: points (x, y) of one target. */
export interface Line {
  label: string;
  kind: Kind;
  points: readonly { x: number; y: number }[];
}

/** A line chart with linear axes from 0, one labelled line per target. */
export function lineChart(title: string, xUnit: string, yUnit: string, lines: readonly Line[]): string {
  const width = 760;
  const height = 420;
  const left = 60;
  const right = 240;
  const top = 40;
  const bottom = 50;
  const all = lines.flatMap((l) => l.points);
  const maxX = Math.max(...all.map((p) => p.x), 1);
  const maxY = Math.max(...all.map((p) => p.y), 1e-9) * 1.1;
  const px = (x: number): number => left + (x / maxX) * (width - left - right);
  const py = (y: number): number => height - bottom - (y / maxY) * (height - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${left}" y1="${py(0)}" x2="${width - right}" y2="${py(0)}" stroke="#000"/>`,
    `<line x1="${left}" y1="${py(0)}" x2="${left}" y2="${top}" stroke="#000"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">${escape(xUnit)}</text>`,
    `<text x="12" y="${top - 8}">${escape(yUnit)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = (maxY * i) / 4;
    parts.push(`<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${formatValue(y)}</text>`);
    const x = (maxX * i) / 4;
    parts.push(`<text x="${px(x)}" y="${height - bottom + 16}" text-anchor="middle">${formatValue(x)}</text>`);
  }
  lines.forEach((line, i) => {
    const dash = i % 2 === 1 ? ' stroke-dasharray="5,3"' : '';
    const path = line.points.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${COLOURS[line.kind]}" stroke-width="2"${dash}/>`);
    for (const p of line.points) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${COLOURS[line.kind]}"/>`);
    parts.push(
      `<line x1="${width - right + 12}" y1="${top + 10 + i * 18}" x2="${width - right + 34}" y2="${top + 10 + i * 18}" stroke="${COLOURS[line.kind]}" stroke-width="2"${dash}/>`,
      `<text x="${width - right + 40}" y="${top + 14 + i * 18}">${escape(line.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function legend(x: number, y: number): string {
  const entries: [Kind, string][] = [
    ['baseline', 'bare node:http'],
    ['reference', 'bare handler in Express'],
    ['cometkit', 'cometkit'],
    ['peer', 'peers'],
  ];
  return entries
    .map(([kind, label], i) => `<rect x="${x + i * 180}" y="${y - 9}" width="10" height="10" fill="${COLOURS[kind]}"/><text x="${x + i * 180 + 14}" y="${y}">${label}</text>`)
    .join('');
}

function formatValue(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
