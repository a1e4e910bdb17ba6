// The shapes of a simulated device, apart from the runtime that builds it, so a boot and the
// runtime that starts boots can both name them without importing each other.
import type { Logger } from 'pino';
import type { BackoffOptions } from '../../shared/backoff.js';
import type { CapabilityDescriptor } from '../../shared/capabilities.js';
import type { FirmwareImage } from '../../shared/firmware-image.js';
import type { DeviceModel, Values } from '../models/model.js';
import type { DeviceClock } from './device-clock.js';
import type { FaultSwitch } from './faults.js';
import type { LocalSchedulerFactory, ProvisioningHook } from './hooks.js';
import type { HubLocator } from './hub-locator.js';
import type { OtaPhase, OtaSwitches } from './ota-types.js';
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
