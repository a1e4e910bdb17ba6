// `hearth doctor`: finds what is wrong with this hub's setup and says how to fix it.
import { type CommandSpec, parseCommand, runCommand } from '../../shared/cli.js';
import { runDoctor } from '../ops/doctor.js';
import { opsConfig } from './ops-common.js';

const spec: CommandSpec = {
  usage: 'hearth doctor [--data-dir DIR] [--json]',
  summary: 'Check ports, data directory, disk, clock, database, mDNS, broker, cloud sync and devices.',
  options: {
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory (HEARTH_DATA_DIR)' },
    config: { type: 'string', value: 'FILE', description: 'config file' },
    json: { type: 'boolean', description: 'print findings as JSON' },
  },
};

const mark = { ok: '✓', warning: '!', error: '✗' } as const;

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const findings = await runDoctor(opsConfig(parsed.values));
    if (parsed.values.json) process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
    else {
      for (const f of findings) {
        process.stdout.write(`${mark[f.severity]} ${f.id.padEnd(10)} ${f.message}\n`);
        if (f.fix) process.stdout.write(`  ${' '.repeat(10)} fix: ${f.fix}\n`);
      }
      const problems = findings.filter((f) => f.severity === 'error').length;
      process.stdout.write(problems ? `\n${problems} problem(s) found.\n` : '\nAll checks passed.\n');
    }
    return findings.some((f) => f.severity === 'error') ? 1 : 0;
  });
}
