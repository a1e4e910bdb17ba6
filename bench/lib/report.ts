// Bench results: one row per figure, printed as a table and written to bench/results.json and
// bench/RESULTS.md with the machine, date and command.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchRow {
  bench: string;
  figure: string;
  value: number;
  unit: string;
  /** e.g. "<= 1" or ">= 0.9x"; empty when there is no target. */
  target: string;
  pass: boolean | null;
  note?: string;
  /** A stable name for figures that ratio rows refer to (e.g. "roundtrip.p50"). */
  key?: string;
}

export function check(value: number, op: '<=' | '>=', limit: number): boolean {
  return op === '<=' ? value <= limit : value >= limit;
}

export function printTable(rows: BenchRow[]): string {
  const header = ['bench', 'figure', 'value', 'unit', 'target', 'ok'];
  const body = rows.map((r) => [
    r.bench,
    r.figure,
    String(r.value),
    r.unit,
    r.target,
    r.pass === null ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/**
 * Writes results.json and RESULTS.md, or, for a subset run (`suffix` set), results-<suffix>.json and
 * RESULTS-<suffix>.md, so a partial run never overwrites the full run's record.
 */
export function writeResults(
  dir: string,
  rows: BenchRow[],
  command: string,
  notes: string[],
  suffix = '',
): string {
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const date = new Date().toISOString();
  writeFileSync(
    join(dir, `results${suffix ? `-${suffix}` : ''}.json`),
    `${JSON.stringify({ date, machine, command, rows, notes }, null, 2)}\n`,
  );
  const md = [
    '# Hearth benchmark results',
    '',
    `- date: ${date}`,
    `- machine: ${machine}`,
    `- command: \`${command}\``,
    '',
    printTable(rows),
    '',
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  const mdPath = join(dir, `RESULTS${suffix ? `-${suffix}` : ''}.md`);
  writeFileSync(mdPath, md);
  return mdPath;
}
