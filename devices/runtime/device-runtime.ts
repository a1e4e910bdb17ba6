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
import { type Boot, createBoot } from './boot.js';
import { createDeviceClock, type DeviceClock } from './device-clock.js';
import { type FaultSwitch, FaultSwitchSchema } from './faults.js';
import type { LocalSchedulerFactory, ProvisioningHook } from './hooks.js';
import type { HubLocator } from './hub-locator.js';
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
  switches: { frozen: boolean; slowAckMs: number };
  notify(): void;
}

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
    switches: { frozen: false, slowAckMs: 0 },
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
