import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One row of a scenario's table. */
export type Row = Record<string, string | number>;

const tables = new Map<string, Row[]>();

/** Records a row of figures under `scenario`. */
export function record(scenario: string, row: Row): void {
  let rows = tables.get(scenario);
  if (!rows) tables.set(scenario, (rows = []));
  rows.push(row);
}

/** Every table recorded so far, as Markdown. */
export function markdown(): string {
  const out: string[] = [];
  for (const [scenario, rows] of tables) {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    out.push(`### ${scenario}`, '', `| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const row of rows) out.push(`| ${columns.map((c) => String(row[c] ?? '')).join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}

export const BEGIN = '<!-- chaos:begin -->';
export const END = '<!-- chaos:end -->';

/** Replaces what stands between the markers of RELIABILITY.md with `header` and the tables. */
export async function writeReliability(header: string): Promise<void> {
  const file = path.join(__dirname, '..', '..', 'RELIABILITY.md');
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`RELIABILITY.md has no ${BEGIN} … ${END} markers`);
  await writeFile(file, `${text.slice(0, start + BEGIN.length)}\n${header}\n\n${markdown()}\n${text.slice(end)}`);
}
