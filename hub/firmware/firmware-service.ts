// What the API and CLI ask of firmware updates: store an uploaded image (checked, never trusted),
// start a staged rollout for a model, halt one, and report progress per wave.
import { HearthError } from '../../shared/errors.js';
import { decodeUpdateImage } from '../../shared/update-image.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareStore, ImageRow } from './firmware-store.js';
import type { ImageFiles } from './image-files.js';
import type { RolloutEngine } from './rollout-engine.js';
import { startRollout } from './rollout-start.js';
import { createRolloutViews } from './rollout-view.js';
import type { ImageView, RolloutStart, RolloutView } from './schemas.js';

export interface FirmwareService {
  upload(bytes: Buffer): { image: ImageView; created: boolean };
  images(): ImageView[];
  image(id: string): ImageRow | undefined;
  start(input: RolloutStart): RolloutView;
  halt(id: string): RolloutView;
  rollouts(): RolloutView[];
  rollout(id: string): RolloutView;
}

export function createFirmwareService(
  ctx: CoreContext,
  deps: { store: FirmwareStore; files: ImageFiles; engine: RolloutEngine },
): FirmwareService {
  const { store, files, engine } = deps;

  const view = createRolloutViews(store);

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
      return view(get(startRollout(ctx, { store, engine }, input)), true);
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
