// What the API and CLI ask of firmware updates: store an uploaded image (checked, never trusted),
// start a staged rollout for a model, halt one, and report progress per wave.
import { randomBytes } from 'node:crypto';
import { HearthError } from '../../shared/errors.js';
import { compareVersions, decodeUpdateImage } from '../../shared/update-image.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareStore, ImageRow, RolloutDeviceRow, RolloutRow } from './firmware-store.js';
import type { ImageFiles } from './image-files.js';
import type { RolloutEngine } from './rollout-engine.js';
import type { ImageView, RolloutStart, RolloutView } from './schemas.js';
import { planWaves } from './wave-plan.js';

export interface FirmwareService {
  upload(bytes: Buffer): { image: ImageView; created: boolean };
  images(): ImageView[];
  image(id: string): ImageRow | undefined;
  start(input: RolloutStart): RolloutView;
  halt(id: string): RolloutView;
  rollouts(): RolloutView[];
  rollout(id: string): RolloutView;
}

const count = (rows: RolloutDeviceRow[], status: RolloutDeviceRow['status']) =>
  rows.filter((r) => r.status === status).length;

export function createFirmwareService(
  ctx: CoreContext,
  deps: { store: FirmwareStore; files: ImageFiles; engine: RolloutEngine },
): FirmwareService {
  const { store, files, engine } = deps;

  const view = (r: RolloutRow, withDevices = false): RolloutView => {
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

  const get = (id: string) => {
    const r = store.rollout(id);
    if (!r) throw new HearthError('not_found', `no rollout ${id}`);
    return r;
  };

  return {
    upload(bytes) {
      const image = decodeUpdateImage(bytes);
      const existing = store.imageFor(image.model, image.version);
      if (existing && existing.id !== image.sha256)
        throw new HearthError(
          'conflict',
          `${image.model} ${image.version} was already uploaded as a different image (${existing.id.slice(0, 16)}…); build a new version`,
        );
      if (existing) return { image: existing, created: false };
      files.write(image.sha256, bytes);
      const row: ImageRow = {
        id: image.sha256,
        model: image.model,
        version: image.version,
        size: image.size,
        signature: image.signature,
        keyId: image.keyId,
        uploadedAt: ctx.clock.now(),
      };
      store.insertImage(row);
      return { image: row, created: true };
    },
    images: () => store.images(),
    image: (id) => store.image(id),
    start(input) {
      const image = store.imageFor(input.model, input.version);
      if (!image)
        throw new HearthError(
          'not_found',
          `no ${input.model} ${input.version} image uploaded (hearth firmware upload)`,
        );
      const busy = store.running().find((r) => r.model === input.model);
      if (busy)
        throw new HearthError(
          'conflict',
          `rollout ${busy.id} of ${input.model} ${busy.version} is still running`,
        );
      const targets = ctx.registry
        .list()
        .filter((d) => d.model === input.model && d.firmware !== input.version)
        .sort((a, b) => a.id.localeCompare(b.id));
      if (targets.length === 0)
        throw new HearthError('conflict', `no ${input.model} device needs ${input.version}`);
      const older = targets.filter(
        (d) => d.firmware !== null && compareVersions(input.version, d.firmware) < 0,
      );
      if (older.length > 0 && !input.allowDowngrade)
        throw new HearthError(
          'forbidden',
          `${input.version} is older than ${older[0]?.firmware} on ${older.length} device(s): a downgrade needs allowDowngrade, signed with the release key`,
        );
      const id = `r-${randomBytes(5).toString('hex')}`;
      const now = ctx.clock.now();
      const plan = planWaves({ devices: targets.map((d) => d.id), canary: input.canary, waves: input.waves });
      const byId = new Map(targets.map((d) => [d.id, d]));
      const row: RolloutRow = {
        id,
        model: input.model,
        version: input.version,
        imageId: image.id,
        waves: input.waves,
        canary: input.canary,
        maxFailures: input.maxFailures,
        allowDowngrade: input.allowDowngrade ?? null,
        status: 'running',
        currentWave: 0,
        haltedReason: null,
        createdAt: now,
        updatedAt: now,
      };
      store.createRollout(
        row,
        plan.flatMap((ids, wave) =>
          ids.map((deviceId) => ({
            rolloutId: id,
            deviceId,
            wave,
            fromVersion: byId.get(deviceId)?.firmware ?? null,
            status: 'waiting' as const,
            offeredAt: null,
            doneAt: null,
            reason: null,
          })),
        ),
      );
      ctx.log.child({ module: 'firmware' }).info(
        {
          rollout: id,
          model: input.model,
          version: input.version,
          devices: targets.length,
          waves: plan.length,
        },
        'rollout started',
      );
      engine.advance(id);
      return view(get(id), true);
    },
    halt(id) {
      const r = get(id);
      if (r.status !== 'running') throw new HearthError('conflict', `rollout ${id} is ${r.status}`);
      engine.halt(id, 'halted by the owner');
      return view(get(id), true);
    },
    rollouts: () => store.rollouts().map((r) => view(r)),
    rollout: (id) => view(get(id), true),
  };
}
