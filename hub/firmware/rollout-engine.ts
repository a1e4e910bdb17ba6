// Runs rollouts: offers the update on `hearth/dev/<id>/ota` to the online devices of the current
// wave, learns each outcome from the device's own retained info (`update`), moves to the next wave
// only when every device of this one is settled and the rollout is healthy, and halts, offering
// nobody else, when the canary fails or failures exceed max-failures. Devices that never answered
// an offer within DEVICE_TIMEOUT_MS count as failed.
import { decodeJson } from '../../shared/decode.js';
import { DeviceInfoSchema, PAYLOAD_LIMITS } from '../../shared/payloads.js';
import { allDevicesTopic, parseTopic } from '../../shared/topics.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareStore, RolloutDeviceRow, RolloutDeviceStatus, RolloutRow } from './firmware-store.js';
import { createRolloutOffers } from './rollout-offers.js';

export const DEVICE_TIMEOUT_MS = 15 * 60_000;
const SWEEP_MS = 1000;
/**
 * Devices downloading and rebooting at once, per rollout: a wave of 500 is offered 50 at a time,
 * so the hub's uplink, memory and broker see a bounded herd (a 1000-device wave offered at once
 * reconnected slower than one offered in steps).
 */
export const MAX_IN_FLIGHT = 50;
const FAILED: RolloutDeviceStatus[] = ['failed', 'rolled-back'];

/** Why a rollout must stop before offering anyone else, or null while it is healthy. */
function haltReason(rollout: RolloutRow, devices: RolloutDeviceRow[]): string | null {
  if (rollout.canary > 0 && devices.some((d) => d.wave === 0 && FAILED.includes(d.status)))
    return 'the canary failed; every other device stays on its version';
  const failures = devices.filter((d) => FAILED.includes(d.status)).length;
  if (failures > rollout.maxFailures)
    return `${failures} failures exceed max-failures ${rollout.maxFailures}`;
  return null;
}

/** The outcome of an update a device's retained info reports, if it reports one. */
function updateOutcome(topic: string, payload: Buffer) {
  const t = parseTopic(topic);
  if (t?.kind !== 'device' || payload.length === 0) return null;
  const info = decodeJson(DeviceInfoSchema, payload, PAYLOAD_LIMITS.info);
  const update = info.ok ? info.value.update : undefined;
  return update ? { deviceId: t.deviceId, update } : null;
}

export interface RolloutEngine {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Re-evaluates a rollout now (after it is created or halted). */
  advance(rolloutId: string): void;
  halt(rolloutId: string, reason: string): void;
}

export function createRolloutEngine(ctx: CoreContext, store: FirmwareStore): RolloutEngine {
  const log = ctx.log.child({ module: 'firmware' });
  const results = ctx.metrics.counter('hearth_firmware_results_total', 'Firmware update outcomes, by result');
  const halts = ctx.metrics.counter('hearth_firmware_rollouts_halted_total', 'Rollouts halted');
  ctx.metrics.gauge('hearth_firmware_rollouts_running', 'Rollouts running now', () => store.running().length);
  let sweep: NodeJS.Timeout | undefined;
  const offers = createRolloutOffers(ctx, store);
  const offerTo = offers.offer;
  let unsubscribe: (() => Promise<void>) | undefined;

  const halt = (rollout: RolloutRow, reason: string) => {
    store.updateRollout(rollout.id, { status: 'halted', haltedReason: reason, updatedAt: ctx.clock.now() });
    halts.inc();
    log.warn(
      { rollout: rollout.id, model: rollout.model, version: rollout.version, reason },
      'rollout halted',
    );
  };

  const advance = (rolloutId: string) => {
    for (let guard = 0; guard < 100; guard++) {
      const rollout = store.rollout(rolloutId);
      if (rollout?.status !== 'running') return;
      const now = ctx.clock.now();
      const devices = store.devices(rolloutId);
      for (const d of devices)
        if (d.status === 'offered' && d.offeredAt !== null && now - d.offeredAt > DEVICE_TIMEOUT_MS) {
          store.updateDevice(rolloutId, d.deviceId, {
            status: 'failed',
            doneAt: now,
            reason: 'no answer to the offer',
          });
          d.status = 'failed';
          results.inc({ result: 'failed' });
        }
      const unhealthy = haltReason(rollout, devices);
      if (unhealthy) return halt(rollout, unhealthy);
      const wave = devices.filter((d) => d.wave === rollout.currentWave);
      let inFlight = wave.filter((d) => d.status === 'offered').length;
      for (const d of wave) {
        if (!ctx.registry.get(d.deviceId)?.online) continue;
        if (d.status === 'waiting' && inFlight < MAX_IN_FLIGHT && offerTo(rollout, d.deviceId)) {
          inFlight++;
          store.updateDevice(rolloutId, d.deviceId, { status: 'offered', offeredAt: now });
          d.status = 'offered';
        } else if (d.status === 'offered' && offers.reofferDue(rolloutId, d.deviceId, now))
          offerTo(rollout, d.deviceId); // a download that failed on the device's side is tried again
      }
      if (wave.some((d) => d.status === 'waiting' || d.status === 'offered')) return;
      const last = Math.max(...devices.map((d) => d.wave));
      if (rollout.currentWave >= last) {
        store.updateRollout(rolloutId, { status: 'completed', updatedAt: now });
        log.info({ rollout: rolloutId, version: rollout.version }, 'rollout completed');
        return;
      }
      store.updateRollout(rolloutId, { currentWave: rollout.currentWave + 1, updatedAt: now });
      log.info({ rollout: rolloutId, wave: rollout.currentWave + 1 }, 'next wave');
    }
  };

  /** A device's info says how its last offer ended. */
  const onInfo = (topic: string, payload: Buffer) => {
    const outcome = updateOutcome(topic, payload);
    if (!outcome) return;
    const { deviceId, update } = outcome;
    for (const rollout of store.running()) {
      if (update.rollout !== rollout.id || update.version !== rollout.version) continue;
      const row = store.devices(rollout.id).find((d) => d.deviceId === deviceId);
      if (!row || (row.status !== 'offered' && row.status !== 'waiting')) continue;
      const status: RolloutDeviceStatus =
        update.result === 'updated' ? 'updated' : update.result === 'rolled-back' ? 'rolled-back' : 'failed';
      store.updateDevice(rollout.id, deviceId, {
        status,
        doneAt: ctx.clock.now(),
        reason: update.reason ?? null,
      });
      results.inc({ result: status });
      log.info({ rollout: rollout.id, deviceId, status, reason: update.reason }, 'update outcome');
      advance(rollout.id);
    }
  };

  return {
    async start() {
      unsubscribe = await ctx.messaging.subscribe(allDevicesTopic('info'), onInfo);
      ctx.bus.on('device.availability', 'firmware', ({ deviceId, online }) => {
        if (!online) return;
        for (const rollout of store.running()) {
          const row = store.devices(rollout.id).find((d) => d.deviceId === deviceId);
          // A device that rebooted or reconnected mid-update hears the offer again (it resumes).
          if (row?.status === 'offered' && row.wave === rollout.currentWave) offerTo(rollout, deviceId);
          else if (row?.status === 'waiting') advance(rollout.id);
        }
      });
      sweep = setInterval(() => {
        for (const r of store.running()) advance(r.id);
      }, SWEEP_MS);
      sweep.unref();
    },
    async stop() {
      clearInterval(sweep);
      ctx.bus.removeOwner('firmware');
      await unsubscribe?.();
    },
    advance,
    halt(rolloutId, reason) {
      const rollout = store.rollout(rolloutId);
      if (rollout?.status === 'running') halt(rollout, reason);
    },
  };
}
