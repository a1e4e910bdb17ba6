// The installer half of OTA: takes an offer, downloads the image from the hub (ranged, resumable),
// checks it (ota-verify.ts), writes the inactive slot and reboots into it on trial. One update at
// a time; a refusal is recorded and reported, a failed download is left for the hub to offer again.
import { decodeJson } from '../../shared/decode.js';
import { HearthError } from '../../shared/errors.js';
import { type OtaOffer, OtaOfferSchema, PAYLOAD_LIMITS } from '../../shared/payloads.js';
import type { FlashState } from './flash-state.js';
import { download } from './ota-download.js';
import type { OtaOutcome } from './ota-outcome.js';
import { partFile, removeParts, slotFile, writeSlot } from './ota-slots.js';
import type { OtaHost, OtaPhase } from './ota-types.js';
import { checkImage, checkOffer } from './ota-verify.js';

export interface OtaInstaller {
  offer(payload: Buffer): void;
  stop(): void;
}

export function createOtaInstaller(host: OtaHost, outcome: OtaOutcome): OtaInstaller {
  let busy: string | null = null;
  const abort = new AbortController();
  const fw = () => host.state().firmware;

  const progress = (offer: OtaOffer, phase: OtaPhase, detail?: string) => {
    host.onProgress?.(phase, offer.version, detail);
    if (phase !== 'writing')
      host.emit({
        type: 'ota',
        rollout: offer.rollout,
        version: offer.version,
        phase,
        ...(detail ? { detail } : {}),
      });
  };

  const refuse = async (offer: OtaOffer, err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    host.log().warn({ version: offer.version, reason }, 'update refused');
    outcome.record(offer.rollout, offer.version, 'refused', reason);
    fw().last = { ...(fw().last as NonNullable<FlashState['firmware']['last']>), reported: true };
    await host.save();
    progress(offer, 'refused', reason);
    host.republishInfo();
  };

  const fetchImage = async (offer: OtaOffer) => {
    const hub = host.hub();
    if (!hub) throw new HearthError('unavailable', 'offline');
    const partPath = partFile(host.flashBase, offer.sha256);
    await removeParts(host.flashBase, partPath);
    progress(offer, 'downloading');
    const url = `http://${hub.host.includes(':') ? `[${hub.host}]` : hub.host}:${offer.httpPort}${offer.path}`;
    const bytes = await download({
      url,
      deviceId: hub.deviceId,
      secret: hub.secret,
      size: offer.size,
      partPath,
      signal: abort.signal,
      dropAfter: () => {
        const n = host.switches.dropDownloadAfter;
        host.switches.dropDownloadAfter = null;
        return n;
      },
      onResume: (from) => progress(offer, 'resumed', `from byte ${from}`),
    });
    try {
      return { bytes, image: checkImage(bytes, offer, host.running()) };
    } catch (err) {
      await removeParts(host.flashBase);
      throw err;
    }
  };

  const install = async (offer: OtaOffer) => {
    const { bytes, image } = await fetchImage(offer);
    if (host.dead()) return;
    const target = fw().active === 'a' ? 'b' : 'a';
    progress(offer, 'writing', `slot ${target}`);
    await writeSlot(slotFile(host.flashBase, target), bytes, {
      delayMsPerChunk: host.switches.slotWriteDelayMs,
    });
    if (host.dead()) return;
    // Only now does the boot loader learn of the new slot: a cut before this line boots the old one.
    fw()[target] = { version: image.version, behaviour: image.manifest.behaviour, sha256: image.sha256 };
    fw().trial = { rollout: offer.rollout, version: image.version, fallback: fw().active, booted: false };
    fw().active = target;
    await host.save();
    await removeParts(host.flashBase);
    progress(offer, 'written', `slot ${target}`);
    host.restart(`update to ${image.version}`);
  };

  const handle = async (offer: OtaOffer) => {
    const running = host.running();
    const last = fw().last;
    // Re-offers (the hub offers again after a reconnect): answer from what is known.
    if (
      offer.version === running.version ||
      (last && last.rollout === offer.rollout && last.version === offer.version)
    )
      return host.republishInfo();
    try {
      checkOffer(offer, running);
    } catch (err) {
      return refuse(offer, err);
    }
    try {
      await install(offer);
    } catch (err) {
      if (host.dead()) return;
      if (err instanceof HearthError && err.code === 'forbidden') return refuse(offer, err);
      host.log().warn({ err, version: offer.version }, 'update not installed; the hub may offer it again');
    }
  };

  return {
    offer(payload) {
      const decoded = decodeJson(OtaOfferSchema, payload, PAYLOAD_LIMITS.ota);
      if (!decoded.ok)
        return host.log().warn({ code: decoded.error.code }, `ota offer refused: ${decoded.error.message}`);
      if (fw().trial || busy !== null) return; // one update at a time; the hub offers again later
      busy = decoded.value.version;
      handle(decoded.value)
        .catch((err: unknown) => host.log().error({ err }, 'ota failed'))
        .finally(() => {
          busy = null;
        });
    },
    stop() {
      abort.abort();
    },
  };
}
