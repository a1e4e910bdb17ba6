// `hearth drill <scenario>`: runs an outage story against a real hub process and simulated devices
// of its own (temp data, loopback ports; your hub and data are never touched) and prints a
// pass/fail report of what was checked. Exit 0 when every check passed.
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { DRILLS, runDrill } from '../drills/drills.js';
import { formatReport } from '../drills/report.js';

const spec: CommandSpec = {
  usage: 'hearth drill <scenario|all|list> [--devices N] [--commands N] [--seconds N] [--json]',
  summary: 'Run an outage drill against a throwaway hub with simulated devices; print what passed.',
  options: {
    devices: {
      type: 'string',
      value: 'N',
      description: "how many simulated devices (default: the scenario's)",
    },
    commands: {
      type: 'string',
      value: 'N',
      description: "how many commands in the burst (default: the scenario's)",
    },
    seconds: {
      type: 'string',
      value: 'N',
      description: 'how long the outage lasts, for hub-outage (default 45)',
    },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  notes: [
    'Scenarios:',
    ...Object.entries(DRILLS).map(([name, d]) => `  ${name.padEnd(16)} ${d.summary}`),
    'Set HEARTH_DRILL_KEEP=1 to keep the drill folder (hub data and logs) for a look afterwards.',
  ],
};

const count = (value: unknown, flag: string, min: number, max = 20_000): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} is a whole number from ${min} to ${max}`);
  return n;
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [name, ...extra] = parsed.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (!name) throw new UsageError(`which drill? one of ${Object.keys(DRILLS).join(', ')}, all or list`);
    if (name === 'list') {
      for (const [n, d] of Object.entries(DRILLS)) process.stdout.write(`${n.padEnd(16)} ${d.summary}\n`);
      return 0;
    }
    const names = name === 'all' ? Object.keys(DRILLS) : [name];
    if (!DRILLS[name] && name !== 'all')
      throw new UsageError(`unknown drill "${name}"; one of ${Object.keys(DRILLS).join(', ')}, all or list`);
    const devices = count(parsed.values.devices, '--devices', 2);
    const commands = count(parsed.values.commands, '--commands', 2);
    const seconds = count(parsed.values.seconds, '--seconds', 1, 600);
    let failed = 0;
    for (const n of names) {
      if (!parsed.values.json) process.stderr.write(`drill ${n}: running…\n`);
      const report = await runDrill(n, {
        ...(devices !== undefined ? { devices } : {}),
        ...(commands !== undefined ? { commands } : {}),
        ...(seconds !== undefined ? { seconds } : {}),
      });
      if (!report.passed) failed++;
      process.stdout.write(parsed.values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    }
    return failed === 0 ? 0 : 1;
  });
}
