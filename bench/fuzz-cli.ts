// `npm run fuzz [-- --inputs N --seed S]`: the fuzz run on its own, with its findings printed.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUZZ_INPUTS, fuzzAndRecord, fuzzRows } from './fuzz.js';
import { printTable } from './lib/report.js';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`fuzz: --${name} takes a whole number above 0\n`);
    process.exit(2);
  }
  return value;
}

const dir = dirname(fileURLToPath(import.meta.url)).replace(`${'/dist'}/bench`, '/bench');
const report = await fuzzAndRecord(dir, flag('inputs') ?? FUZZ_INPUTS, flag('seed'));
process.stdout.write(`${printTable(fuzzRows(report))}\n`);
for (const f of report.findings)
  process.stdout.write(`\n${f.channel} (${f.count}×): ${f.problem}\n  input: ${f.input}\n`);
process.stdout.write(`\nwritten to ${dir}/fuzz-results.json\n`);
process.exitCode = report.findings.length > 0 ? 1 : 0;
