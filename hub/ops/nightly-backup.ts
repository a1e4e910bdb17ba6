// A backup every night at the configured hour into <data-dir>/backups, keeping the newest `keep`.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HubContext } from '../core/context.js';
import type { Unit } from '../infra/unit.js';
import { backupDataDir, defaultBackupName } from './backup.js';
import { ensurePrivateDir } from './private-files.js';

export function msUntilHour(now: Date, hour: number): number {
  const next = new Date(now);
  next.setHours(hour, 0, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

export function pruneBackups(dir: string, keep: number): string[] {
  const files = readdirSync(dir)
    .filter((f) => /^hearth-backup-.*\.tar\.gz$/.test(f))
    .sort();
  const removed = files.slice(0, Math.max(0, files.length - keep));
  for (const f of removed) rmSync(join(dir, f), { force: true });
  return removed;
}

export function createNightlyBackup(ctx: HubContext): Unit {
  const log = ctx.log.child({ module: 'backup' });
  const { enabled, hour, keep } = ctx.config.backup;
  const dir = join(ctx.config.dataDir, 'backups');
  let timer: NodeJS.Timeout | undefined;
  let last: { at: number; ok: boolean; file?: string; error?: string } | undefined;

  const run = async () => {
    ensurePrivateDir(dir);
    const file = join(dir, defaultBackupName(new Date(ctx.clock.now())));
    try {
      await backupDataDir(ctx.config.dataDir, file);
      const removed = pruneBackups(dir, keep);
      last = { at: ctx.clock.now(), ok: true, file };
      log.info({ file, removed: removed.length }, 'nightly backup written');
    } catch (err) {
      last = { at: ctx.clock.now(), ok: false, error: (err as Error).message };
      log.error({ err }, 'nightly backup failed');
    }
  };
  const schedule = () => {
    timer = setTimeout(
      () => {
        void run().finally(schedule);
      },
      msUntilHour(new Date(ctx.clock.now()), hour),
    );
    timer.unref();
  };

  return {
    name: 'backup',
    start() {
      if (enabled) schedule();
    },
    stop() {
      if (timer) clearTimeout(timer);
    },
    health: () => ({ ok: last?.ok !== false, detail: { enabled, hour, keep, ...(last ? { last } : {}) } }),
  };
}
