// <data-dir>/runtime.json: the ports actually bound and the pid, so scripts, the CLI and tests can
// find a running hub (port 0 picks a free port). Whether a hub runs is the lock's to say
// (hub-lock.ts); this file is a convenience for scripts and may be stale after a crash.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const RuntimeInfoSchema = z.object({
  pid: z.number().int(),
  startedAt: z.number(),
  bind: z.string(),
  /** 0 when that listener is switched off (http.plain, mqtt.plain). */
  httpPort: z.number().int(),
  mqttPort: z.number().int(),
  httpsPort: z.number().int(),
  mqttTlsPort: z.number().int(),
  /** SHA-256 of the hub CA, colon-separated hex. */
  caFingerprint: z.string(),
  hubId: z.string(),
  version: z.string(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfoSchema>;

export const runtimeFilePath = (dataDir: string) => join(dataDir, 'runtime.json');

export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  const path = runtimeFilePath(dataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The running hub's ports, or null when no hub has written them (or it is gone). */
export function readRuntimeInfo(dataDir: string): RuntimeInfo | null {
  try {
    const info = RuntimeInfoSchema.parse(JSON.parse(readFileSync(runtimeFilePath(dataDir), 'utf8')));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}

/** Removes runtime.json if it is still the one `mine` describes (same pid and start time). */
export function removeRuntimeInfo(dataDir: string, mine: RuntimeInfo): void {
  try {
    const info = RuntimeInfoSchema.parse(JSON.parse(readFileSync(runtimeFilePath(dataDir), 'utf8')));
    if (info.pid !== mine.pid || info.startedAt !== mine.startedAt) return;
  } catch {
    return;
  }
  rmSync(runtimeFilePath(dataDir), { force: true });
}
