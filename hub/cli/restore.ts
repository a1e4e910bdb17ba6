// `hearth restore FILE`: verified restore into a stopped hub's data directory.
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { restoreDataDir } from '../ops/restore.js';
import { opsConfig } from './ops-common.js';

const spec: CommandSpec = {
  usage: 'hearth restore FILE [--data-dir DIR]',
  summary:
    'Restore a backup. Refuses while the hub runs; verifies checksums and database integrity; keeps the old data aside.',
  options: {
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory (HEARTH_DATA_DIR)' },
    config: { type: 'string', value: 'FILE', description: 'config file' },
  },
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const file = parsed.positionals[0];
    if (!file) throw new UsageError('restore needs the backup FILE');
    const config = opsConfig(parsed.values);
    try {
      const r = await restoreDataDir(file, config.dataDir);
      process.stdout.write(
        `restored ${r.restoredFiles.join(', ')} into ${config.dataDir}${r.previous ? `; the previous data is in ${r.previous}` : ''}\n`,
      );
      return 0;
    } catch (err) {
      process.stderr.write(`hearth: restore refused: ${(err as Error).message}\n`);
      return 1;
    }
  });
}
