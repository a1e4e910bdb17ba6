// The firmware runtime: boots an image, keeps its flash, speaks the wire contract over MQTT and
// runs the model's handlers. Each power cycle (start → kill/stop) is a fresh `Boot` that re-reads
// flash from disk, exactly like a real board: nothing survives a reboot unless it was flashed.

import type { Logger } from 'pino';
import type { BackoffOptions } from '../../shared/backoff.js';
import { type CapabilityDescriptor, describeCapability } from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import type { FirmwareImage } from '../../shared/firmware-image.js';
import { findModel } from '../models/index.js';
import type { DeviceModel, Values } from '../models/model.js';
import { createBoot } from './boot.js';
import type { Boot } from './boot-contract.js';
import { createDeviceClock, type DeviceClock } from './device-clock.js';
import { type FaultSwitch, FaultSwitchSchema } from './faults.js';
import type { LocalSchedulerFactory, ProvisioningHook } from './hooks.js';
import type { HubLocator } from './hub-locator.js';
import type { OtaPhase, OtaSwitches } from './ota-agent.js';
import type { Ticker } from './ticker.js';

export interface DeviceOptions {
  image: FirmwareImage;
  flashDir: string;
  log: Logger;
  clock?: DeviceClock;
  /** Shared ticker for models with physics (thermostat, plug); none means no drift. */
  ticker?: Ticker;
  /** Extra hub locator strategies after the cached addresses (e.g. mDNS). */
  locators?: HubLocator[];
  provisioning?: ProvisioningHook;
  localScheduler?: LocalSchedulerFactory;
  backoff?: Partial<BackoffOptions>;
  keepaliveSec?: number;
  /** Called whenever the device goes online or offline. */
  onChange?: (device: Device) => void;
  /** How long a new firmware has to confirm its health before the boot loader rolls back. */
  otaHealthMs?: number;
  /** Progress of a firmware update (downloading … updated / rolled-back / refused). */
  onOta?: (device: Device, progress: { phase: OtaPhase; version: string; detail?: string }) => void;
}

export interface DeviceSnapshot {
  id: string;
  model: string;
  online: boolean;
  running: boolean;
  bootCount: number;
  seq: number;
  values: Values;
  faults: string[];
  frozen: boolean;
  slowAckMs: number;
  schedulesVersion: number | null;
}

export interface Device {
  /** The device id (or `claim-<id>` for a factory image not yet adopted). */
  readonly id: string;
  readonly model: string;
  readonly online: boolean;
  /** Boots: reads flash, provisions if needed, connects (returns before the hub answers). */
  start(): Promise<void>;
  /** Graceful shutdown: publishes `offline`, disconnects, flushes flash. */
  stop(): Promise<void>;
  /** Power cut: drops everything not yet in flash; the broker publishes the will. */
  kill(): void;
  reboot(): Promise<void>;
  /** A clean reboot (goodbye, flash flushed), as after an update. */
  restartGracefully(): Promise<void>;
  fault(input: FaultSwitch): Promise<void>;
  /** Drill: set sensor readings (a door opens, the hopper is refilled). */
  sense(readings: Values): Promise<void>;
  tick(elapsedMs: number): void;
  snapshot(): DeviceSnapshot;
}

/** What a boot needs from its device: fixed for the device's life. */
export interface DeviceStatic {
  image: FirmwareImage;
  model: DeviceModel;
  descriptors: CapabilityDescriptor[];
  owner: string;
  options: DeviceOptions;
  clock: DeviceClock;
  backoff: BackoffOptions;
  /** Runtime switches that survive reboots within this process (a drill's settings). */
  switches: { frozen: boolean; slowAckMs: number; ota: OtaSwitches };
  notify(): void;
  /** Reboots the device soon (after the calling boot has returned): an update, a rollback. */
  restart(): void;
  otaProgress(phase: OtaPhase, version: string, detail?: string): void;
}

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
    // Quick retries (≤ 1 s apart) for the first ~15 s bring a fleet back soon after a hub restart;
    // the hub's admission control absorbs the surge. Longer outages back off to 30 s.
    backoff: { baseMs: 500, maxMs: 30_000, quick: { capMs: 1000, attempts: 30 }, ...options.backoff },
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
