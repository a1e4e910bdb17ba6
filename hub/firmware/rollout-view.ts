// A rollout as the API shows it: progress per wave (canary first) and, for one rollout, every
// device. Apart from the service so counting stays out of the commands that change rollouts.
import type { FirmwareStore, RolloutDeviceRow, RolloutRow } from './firmware-store.js';
import type { RolloutView } from './schemas.js';

const count = (rows: RolloutDeviceRow[], status: RolloutDeviceRow['status']) =>
  rows.filter((r) => r.status === status).length;

export function createRolloutViews(store: FirmwareStore) {
  return (r: RolloutRow, withDevices = false): RolloutView => {
    const rows = store.devices(r.id);
    const waves = [...new Set(rows.map((d) => d.wave))].sort((a, b) => a - b);
    const labels = r.canary > 0 ? ['canary', ...r.waves.map((w) => `${w}%`)] : r.waves.map((w) => `${w}%`);
    return {
      id: r.id,
      model: r.model,
      version: r.version,
      imageId: r.imageId,
      status: r.status,
      currentWave: r.currentWave,
      canary: r.canary,
      waves: r.waves,
      maxFailures: r.maxFailures,
      failures: count(rows, 'failed') + count(rows, 'rolled-back'),
      haltedReason: r.haltedReason,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      progress: waves.map((wave) => {
        const inWave = rows.filter((d) => d.wave === wave);
        return {
          wave,
          label: labels[wave] ?? `wave ${wave}`,
          devices: inWave.length,
          waiting: count(inWave, 'waiting'),
          offered: count(inWave, 'offered'),
          updated: count(inWave, 'updated'),
          failed: count(inWave, 'failed'),
          rolledBack: count(inWave, 'rolled-back'),
        };
      }),
      ...(withDevices
        ? {
            devices: rows.map((d) => ({
              deviceId: d.deviceId,
              wave: d.wave,
              status: d.status,
              fromVersion: d.fromVersion,
              reason: d.reason,
              offeredAt: d.offeredAt,
              doneAt: d.doneAt,
            })),
          }
        : {}),
    };
  };
}
