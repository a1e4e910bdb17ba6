// The offer a device hears on `hearth/dev/<id>/ota`, and when it is due again: kept apart from the
// engine's wave logic so what is published, and how often, is in one place.
import type { OtaOffer } from '../../shared/payloads.js';
import { deviceTopic } from '../../shared/topics.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareStore, RolloutRow } from './firmware-store.js';

/** An offered device still online with no outcome hears the offer again this often. */
const REOFFER_MS = 60_000;

export interface RolloutOffers {
  /** Publishes the offer; false when there is nothing to offer yet (no image, no HTTP port). */
  offer(rollout: RolloutRow, deviceId: string): boolean;
  /** An offered device has waited long enough to hear the offer again. */
  reofferDue(rolloutId: string, deviceId: string, now: number): boolean;
}

export function createRolloutOffers(ctx: CoreContext, store: FirmwareStore): RolloutOffers {
  const log = ctx.log.child({ module: 'firmware' });
  const offers = ctx.metrics.counter('hearth_firmware_offers_total', 'Firmware offers sent to devices');
  const lastOffer = new Map<string, number>();

  return {
    offer(rollout, deviceId) {
      const image = store.image(rollout.imageId);
      if (!image || ctx.ports.http === 0) return false;
      const offer: OtaOffer = {
        rollout: rollout.id,
        model: rollout.model,
        version: rollout.version,
        path: `/api/v1/firmware/images/${image.id}/download`,
        httpPort: ctx.ports.http,
        sha256: image.id,
        size: image.size,
        signature: image.signature,
        ...(rollout.allowDowngrade ? { allowDowngrade: rollout.allowDowngrade } : {}),
      };
      offers.inc();
      lastOffer.set(`${rollout.id}/${deviceId}`, ctx.clock.now());
      ctx.messaging
        .publish(deviceTopic(deviceId, 'ota'), JSON.stringify(offer), { qos: 1 })
        .catch((err: unknown) => log.warn({ err, deviceId }, 'offer not published'));
      return true;
    },
    reofferDue: (rolloutId, deviceId, now) =>
      now - (lastOffer.get(`${rolloutId}/${deviceId}`) ?? 0) > REOFFER_MS,
  };
}
