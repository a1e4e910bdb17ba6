// The firmware runtime: boots an image, keeps its flash, speaks the wire contract over MQTT and
// runs the model's handlers. Each power cycle (start → kill/stop) is a fresh `Boot` that re-reads
// flash from disk, exactly like a real board: nothing survives a reboot unless it was flashed.

import { describeCapability } from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import { findModel } from '../models/index.js';
import { createBoot } from './boot.js';
import type { Boot } from './boot-contract.js';
import { createDeviceClock } from './device-clock.js';
import type { Device, DeviceOptions, DeviceStatic } from './device-types.js';
import { FaultSwitchSchema } from './faults.js';

export type { Device, DeviceOptions, DeviceSnapshot, DeviceStatic } from './device-types.js';

/** How long a reboot waits for the goodbye (offline published, flash flushed) before cutting power. */
const STOP_BOUND_MS = 5000;

export function createDevice(options: DeviceOptions): Device {
  const { image } = options;
  const model = findModel(image.body.identity.model);
  if (!model)
    throw new HearthError('unsupported', `this firmware has no model "${image.body.identity.model}"`);
  const owner = image.body.identity.deviceId ?? `claim-${image.body.identity.claimId}`;
  let boot: Boot | null = null;
  let lastOnline = false;
  const device: Device = {
    get id() {
      return boot?.deviceId ?? owner;
    },
    model: model.model,
    get online() {
      return boot?.online ?? false;
    },
    async start() {
      if (boot) return;
      boot = createBoot(shared);
      try {
        await boot.start();
      } catch (err) {
        boot.kill();
        boot = null;
        throw err;
      }
    },
    async stop() {
      const b = boot;
      boot = null;
      await b?.stop();
      shared.notify();
    },
    kill() {
      const b = boot;
      boot = null;
      b?.kill();
      shared.notify();
    },
    async reboot() {
      device.kill();
      await device.start();
    },
    async restartGracefully() {
      const b = boot;
      if (!b) return;
      boot = null;
      // A goodbye that the broker does not acknowledge in time must not keep the device down.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), STOP_BOUND_MS);
      });
      if ((await Promise.race([b.stop(), late])) === 'late') {
        options.log.warn({ device: device.id }, 'graceful stop took too long: power-cycling instead');
        b.kill();
      }
      clearTimeout(timer);
      shared.notify();
      // Like a boot loader, try again when a boot fails (a flash read racing a write, say).
      for (let attempt = 1; ; attempt++) {
        try {
          return await device.start();
        } catch (err) {
          if (attempt >= 5) throw err;
          options.log.warn({ err, device: device.id, attempt }, 'boot failed; retrying');
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    },
    async fault(input) {
      const f = FaultSwitchSchema.parse(input);
      switch (f.fault) {
        case 'drop':
          return boot?.drop();
        case 'freeze':
          shared.switches.frozen = f.on;
          return;
        case 'slow-acks':
          shared.switches.slowAckMs = f.ms;
          return;
        case 'reboot':
          return device.reboot();
        case 'drop-download':
          shared.switches.ota.dropDownloadAfter = f.afterBytes;
          return;
        case 'slow-slot-write':
          shared.switches.ota.slotWriteDelayMs = f.ms;
          return;
        case 'jam':
          return requireBoot().setFault('jam', f.on);
        case 'device':
          return requireBoot().setFault(f.name, f.on);
      }
    },
    async sense(readings) {
      await requireBoot().sense(readings);
    },
    tick(elapsedMs) {
      boot?.tick(elapsedMs);
    },
    snapshot() {
      const s = boot?.snapshot();
      return {
        id: device.id,
        model: model.model,
        online: device.online,
        running: boot !== null,
        bootCount: s?.bootCount ?? 0,
        seq: s?.seq ?? 0,
        values: s?.values ?? {},
        faults: s?.faults ?? [],
        frozen: shared.switches.frozen,
        slowAckMs: shared.switches.slowAckMs,
        schedulesVersion: s?.schedulesVersion ?? null,
      };
    },
  };
  const requireBoot = () => {
    if (!boot) throw new HearthError('unavailable', `device ${device.id} is not running`);
    return boot;
  };
  const shared: DeviceStatic = {
    image,
    model,
    descriptors: model.capabilities.map(describeCapability),
    owner,
    options,
    clock: options.clock ?? createDeviceClock(),
    backoff: {
      baseMs: 500,
      maxMs: 30_000,
      // A short hub outage (≤ 5 min) is waited out with a ceiling of 1 s, then 2 s: every device
      // is back within about 2 s of the hub listening again, spread by full jitter so the hub's
      // admission control sees a gentle surge. Longer outages back off to 30 s.
      quick: { capMs: 1000, attempts: 30 },
      hold: { capMs: 2000, forMs: 5 * 60_000 },
      ...options.backoff,
    },
    switches: { frozen: false, slowAckMs: 0, ota: { dropDownloadAfter: null, slotWriteDelayMs: 0 } },
    restart() {
      setImmediate(() => {
        device.restartGracefully().catch((err: unknown) => options.log.error({ err }, 'reboot failed'));
      });
    },
    otaProgress(phase, version, detail) {
      options.onOta?.(device, { phase, version, ...(detail ? { detail } : {}) });
    },
    notify() {
      const online = device.online;
      if (online !== lastOnline) {
        lastOnline = online;
        options.onChange?.(device);
      }
    },
  };
  return device;
}
