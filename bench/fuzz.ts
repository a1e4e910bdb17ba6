// The fuzz run as a bench: ≥ 100k generated inputs against a fresh hub, findings must be zero.
// Writes the full tally (every channel, every finding) to bench/fuzz-results.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FuzzReport, runFuzz } from './fuzz/run-fuzz.js';
import { type BenchRow, check } from './lib/report.js';

export const FUZZ_INPUTS = 100_000;

export async function fuzzAndRecord(
  dir: string,
  inputs = FUZZ_INPUTS,
  seed = Date.now() % 2 ** 31,
): Promise<FuzzReport> {
  const log = (line: string) => process.stderr.write(`fuzz: ${line}\n`);
  log(`${inputs} inputs, seed ${seed} (replay with: npm run fuzz -- --inputs ${inputs} --seed ${seed})`);
  const report = await runFuzz({
    inputs,
    seed,
    onPhase: (phase, n) => log(`${phase}: ${n} inputs`),
    onProgress: (n) => log(`${n} inputs so far`),
  });
  writeFileSync(join(dir, 'fuzz-results.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

export function fuzzRows(report: FuzzReport): BenchRow[] {
  const totals = Object.values(report.channels).reduce(
    (t, c) => ({ refused: t.refused + c.refused, accepted: t.accepted + c.accepted }),
    { refused: 0, accepted: 0 },
  );
  return [
    {
      bench: 'fuzz',
      figure: 'generated inputs (MQTT payloads and topics, HTTP requests)',
      value: report.inputs,
      unit: 'inputs',
      target: `>= ${FUZZ_INPUTS}`,
      pass: check(report.inputs, '>=', FUZZ_INPUTS),
    },
    {
      bench: 'fuzz',
      figure: 'refused / accepted by the hub',
      value: totals.refused,
      unit: `refused (${totals.accepted} accepted)`,
      target: '',
      pass: null,
    },
    {
      bench: 'fuzz',
      figure: 'findings: 5xx, undocumented status, refused input that changed a row, crash',
      value: report.findings.length,
      unit: 'kinds',
      target: '0',
      pass: report.findings.length === 0,
    },
    {
      bench: 'fuzz',
      figure: 'throughput',
      value: Math.round(report.inputs / report.seconds),
      unit: 'inputs/s',
      target: '',
      pass: null,
    },
  ];
}
