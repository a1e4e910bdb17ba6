// `hearth backup [FILE]`: a consistent backup while the hub runs.
import { join } from 'node:path';
import { type CommandSpec, parseCommand, runCommand } from '../../shared/cli.js';
import { backupDataDir, defaultBackupName } from '../ops/backup.js';
import { opsConfig, progressBar } from './ops-common.js';

const spec: CommandSpec = {
  usage: 'hearth backup [FILE] [--data-dir DIR]',
  summary: 'Back up the database, config and keys into one .tar.gz (safe while the hub runs).',
  options: {
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory (HEARTH_DATA_DIR)' },
    config: { type: 'string', value: 'FILE', description: 'config file' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  notes: ['Default FILE: <data-dir>/backups/hearth-backup-<time>.tar.gz. Restore with: hearth restore FILE'],
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const config = opsConfig(parsed.values);
    const file = parsed.positionals[0] ?? join(config.dataDir, 'backups', defaultBackupName());
    const bar = progressBar('backing up');
    try {
      const t0 = performance.now();
      const manifest = await backupDataDir(config.dataDir, file, (p) =>
        bar.update(p.totalPages - p.remainingPages, p.totalPages),
      );
      bar.end();
      const ms = Math.round(performance.now() - t0);
      if (parsed.values.json)
        process.stdout.write(`${JSON.stringify({ file, ms, files: Object.keys(manifest.files) })}\n`);
      else
        process.stdout.write(
          `backup written to ${file} (${Object.keys(manifest.files).join(', ')}) in ${ms} ms\n`,
        );
      return 0;
    } catch (err) {
      bar.end();
      process.stderr.write(`hearth: backup failed: ${(err as Error).message}\n`);
      return 1;
    }
  });
}
