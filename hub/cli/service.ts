// `hearth service install|uninstall|status`: run Hearth under systemd as a dedicated user.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { packageRoot } from '../infra/version.js';
import { renderUnit } from '../ops/systemd-unit.js';

const UNIT_PATH = '/etc/systemd/system/hearth.service';

const spec: CommandSpec = {
  usage: 'hearth service <install|uninstall|status> [options]',
  summary: 'Install Hearth as a systemd service that starts at boot (run as root).',
  options: {
    user: {
      type: 'string',
      value: 'USER',
      description: 'system user to run as (default hearth; created if missing)',
    },
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory (default /var/lib/hearth)' },
    'http-port': { type: 'string', value: 'PORT', description: 'HTTP port (default 8080)' },
    'mqtt-port': { type: 'string', value: 'PORT', description: 'MQTT port (default 1883)' },
    'dry-run': { type: 'boolean', description: 'print the unit instead of installing it' },
  },
  notes: ['After install: journalctl -u hearth -f shows the logs (and the first pairing code).'],
};

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'inherit' });
const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const v = parsed.values;
    const action = parsed.positionals[0];
    const user = (v.user as string | undefined) ?? 'hearth';
    const dataDir = (v['data-dir'] as string | undefined) ?? '/var/lib/hearth';
    const port = (name: string, def: number) => {
      const raw = v[name] as string | undefined;
      if (raw === undefined) return def;
      if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`--${name} must be a port number`);
      return Number(raw);
    };
    const unit = renderUnit({
      user,
      dataDir,
      node: process.execPath,
      bin: join(packageRoot(), 'dist/bin/hearth.js'),
      httpPort: port('http-port', 8080),
      mqttPort: port('mqtt-port', 1883),
    });
    switch (action) {
      case 'install': {
        if (v['dry-run']) {
          process.stdout.write(unit);
          return 0;
        }
        if (process.getuid?.() !== 0) {
          process.stderr.write('hearth: service install needs root: sudo hearth service install\n');
          return 1;
        }
        try {
          execFileSync('id', ['-u', user], { stdio: 'ignore' });
        } catch {
          sh('useradd', [
            '--system',
            '--home-dir',
            dataDir,
            '--no-create-home',
            '--shell',
            '/usr/sbin/nologin',
            user,
          ]);
        }
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        sh('chown', ['-R', `${user}:${user}`, dataDir]);
        writeFileSync(UNIT_PATH, unit);
        process.stdout.write(`wrote ${UNIT_PATH}\n`);
        if (has('systemctl')) {
          sh('systemctl', ['daemon-reload']);
          sh('systemctl', ['enable', '--now', 'hearth']);
        } else process.stdout.write('systemctl not found: start it with your init system\n');
        process.stdout.write('Hearth runs at boot. Logs and the pairing code: journalctl -u hearth -f\n');
        return 0;
      }
      case 'uninstall': {
        if (has('systemctl') && existsSync(UNIT_PATH)) {
          sh('systemctl', ['disable', '--now', 'hearth']);
        }
        rmSync(UNIT_PATH, { force: true });
        if (has('systemctl')) sh('systemctl', ['daemon-reload']);
        process.stdout.write(`removed ${UNIT_PATH}; the data in ${dataDir} is kept\n`);
        return 0;
      }
      case 'status': {
        if (!existsSync(UNIT_PATH)) {
          process.stdout.write('not installed (hearth service install)\n');
          return 3;
        }
        try {
          sh('systemctl', ['status', '--no-pager', 'hearth']);
          return 0;
        } catch {
          return 3;
        }
      }
      default:
        throw new UsageError(`unknown action "${action ?? ''}": use install, uninstall or status`);
    }
  });
}
