// Over-the-air updates on the device: takes an offer, downloads the image from the hub (ranged,
// resumable), checks it (ota-verify.ts), writes the inactive slot, and reboots into it on trial.
// The boot loader half (`atBoot`) runs before anything else in a boot: a trial that rebooted
// without confirming its health falls back to the old slot; a trial that does not confirm within
// the bound (connected, self-test passed, state re-reported) falls back by itself. Every outcome
// is kept in flash and reported in info and as an `ota` event.
import type { Logger } from 'pino';
import { decodeJson } from '../../shared/decode.js';
import { HearthError } from '../../shared/errors.js';
import { type DeviceInfo, type OtaOffer, OtaOfferSchema, PAYLOAD_LIMITS } from '../../shared/payloads.js';
import type { FirmwareBehaviour } from '../../shared/update-image.js';
import type { EventDraft } from '../models/model.js';
import type { FlashState } from './flash-state.js';
import { download } from './ota-download.js';
import { partFile, removeParts, slotFile, slotHolds, writeSlot } from './ota-slots.js';
import { checkImage, checkOffer, type RunningFirmware } from './ota-verify.js';

export const DEFAULT_OTA_HEALTH_MS = 60_000;

export type OtaPhase =
  | 'downloading'
  | 'resumed'
  | 'writing'
  | 'written'
  | 'updated'
  | 'rolled-back'
  | 'refused';

export interface OtaSwitches {
  /** Drop the next download response after this many bytes (a network fault), once. */
  dropDownloadAfter: number | null;
  /** Pause this long after each 16 KiB written to a slot (a slow flash chip). */
  slotWriteDelayMs: number;
}

export interface OtaHost {
  log(): Logger;
  state(): FlashState;
  save(): Promise<void>;
  running(): RunningFirmware;
  /** Where and as whom to download from: the host the broker was reached at. Null offline. */
  hub(): { host: string; deviceId: string; secret: string } | null;
  emit(event: EventDraft): void;
  republishInfo(): void;
  /** A graceful reboot into whatever the flash state says is active. */
  restart(why: string): void;
  dead(): boolean;
  flashBase: string;
  healthMs: number;
  switches: OtaSwitches;
  onProgress?: (phase: OtaPhase, version: string, detail?: string) => void;
}

export interface OtaAgent {
  /** The boot loader: 'restart' when it switched back to the old slot and the boot must start over. */
  atBoot(): Promise<'run' | 'restart'>;
  /** What the booted code does (a deliberately bad build misbehaves). */
  readonly behaviour: FirmwareBehaviour;
  offer(payload: Buffer): void;
  /** Connected, state re-reported: the trial's self-test and health confirmation. */
  announced(): void;
  infoUpdate(): DeviceInfo['update'];
  stop(): void;
}

export function createOtaAgent(host: OtaHost): OtaAgent {
  let watchdog: NodeJS.Timeout | undefined;
  let busy: string | null = null;
  const abort = new AbortController();
  const fw = () => host.state().firmware;
  const activeSlot = () => fw()[fw().active] ?? fw().a;

  const record = (
    rollout: string,
    version: string,
    result: 'updated' | 'rolled-back' | 'refused',
    reason?: string,
  ) => {
    fw().last = {
      rollout,
      version,
      result,
      ...(reason ? { reason: reason.slice(0, 200) } : {}),
      at: Date.now(),
      reported: false,
    };
  };

  /** Sends the last outcome's event once (after a rollback that is on the next, old, boot). */
  const report = () => {
    const last = fw().last;
    if (!last || last.reported || !host.hub()) return;
    last.reported = true;
    host.emit({
      type: 'ota',
      rollout: last.rollout,
      version: last.version,
      phase: last.result,
      ...(last.reason ? { detail: last.reason } : {}),
    });
    host.onProgress?.(last.result, last.version, last.reason);
    host.republishInfo();
    void host.save().catch(() => undefined);
  };

  const rollback = async (reason: string) => {
    const trial = fw().trial;
    if (!trial) return;
    host
      .log()
      .warn({ version: trial.version, reason }, 'update failed: the boot loader goes back to the old slot');
    fw().active = trial.fallback;
    delete fw().trial;
    record(trial.rollout, trial.version, 'rolled-back', reason);
    await host.save();
  };

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
    record(offer.rollout, offer.version, 'refused', reason);
    fw().last = { ...(fw().last as NonNullable<FlashState['firmware']['last']>), reported: true };
    await host.save();
    progress(offer, 'refused', reason);
    host.republishInfo();
  };

  const install = async (offer: OtaOffer) => {
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
    let image: ReturnType<typeof checkImage>;
    try {
      image = checkImage(bytes, offer, host.running());
    } catch (err) {
      await removeParts(host.flashBase);
      throw err;
    }
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
    async atBoot() {
      const f = fw();
      const trial = f.trial;
      if (trial?.booted) {
        await rollback('the new firmware restarted before it confirmed its health');
        return 'restart';
      }
      const slot = activeSlot();
      if (slot.sha256 && !(await slotHolds(slotFile(host.flashBase, f.active), slot.sha256))) {
        if (trial) await rollback(`slot ${f.active} does not hold the image written to it`);
        else f.active = f.active === 'a' ? 'b' : 'a';
        await host.save();
        return 'restart';
      }
      if (trial) {
        trial.booted = true;
        await host.save();
        watchdog = setTimeout(() => {
          void rollback(`no healthy confirmation within ${Math.round(host.healthMs / 1000)} s`).then(
            () => host.restart('health bound passed'),
            () => undefined,
          );
        }, host.healthMs);
        watchdog.unref();
      }
      return 'run';
    },
    get behaviour() {
      return activeSlot().behaviour ?? 'good';
    },
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
    announced() {
      const trial = fw().trial;
      if (!trial) return report();
      clearTimeout(watchdog);
      if (activeSlot().behaviour === 'fail-self-test') {
        void rollback('the self-test failed').then(
          () => host.restart('self-test failed'),
          () => undefined,
        );
        return;
      }
      delete fw().trial;
      record(trial.rollout, trial.version, 'updated');
      host.log().info({ version: trial.version }, 'update confirmed healthy');
      void host.save().then(report, () => undefined);
    },
    infoUpdate() {
      const last = fw().last;
      if (!last) return undefined;
      const { reported: _r, ...update } = last;
      return update;
    },
    stop() {
      clearTimeout(watchdog);
      abort.abort();
    },
  };
}
