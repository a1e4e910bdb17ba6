// Starting a rollout: the checks that refuse one (no image, one already running for the model,
// nobody to update, a downgrade without its signature), then the wave plan written in one go.
import { randomBytes } from 'node:crypto';
import { HearthError } from '../../shared/errors.js';
import { compareVersions } from '../../shared/update-image.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareStore, RolloutRow } from './firmware-store.js';
import type { RolloutEngine } from './rollout-engine.js';
import type { RolloutStart } from './schemas.js';
import { planWaves } from './wave-plan.js';

/** Creates the rollout and sets it going; returns its id. */
export function startRollout(
  ctx: CoreContext,
  deps: { store: FirmwareStore; engine: RolloutEngine },
  input: RolloutStart,
): string {
  const { store, engine } = deps;
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
  const older = targets.filter((d) => d.firmware !== null && compareVersions(input.version, d.firmware) < 0);
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
  return id;
}
