// Extension points of the firmware runtime, implemented elsewhere in devices/: provisioning of
// factory images (adoption over `hearth/provision/…`) and the local schedule runner (feeder,
// thermostat). The runtime calls them; they never reach into its internals.

import type { Logger } from 'pino';
import type { CapabilityDeclaration, SettingValue } from '../../shared/capabilities.js';
import type { FirmwareImage } from '../../shared/firmware-image.js';
import type { Ack, DeviceSchedules, ProvisionCredentials } from '../../shared/payloads.js';
import type { EventDraft } from '../models/model.js';
import type { DeviceClock } from './device-clock.js';
import type { HubAddress } from './hub-locator.js';

export interface ProvisioningContext {
  image: FirmwareImage;
  claimId: string;
  model: string;
  firmware: string;
  capabilities: CapabilityDeclaration[];
  /** Runs the runtime's hub locator strategies. */
  locateHub(): Promise<HubAddress[]>;
  log: Logger;
  signal: AbortSignal;
}

/** Gets credentials for a factory image (no credentials in it, none in flash yet). */
export type ProvisioningHook = (ctx: ProvisioningContext) => Promise<ProvisionCredentials>;

/** What a local scheduler may do on the device. */
export interface LocalSchedulerHost {
  readonly deviceId: string;
  readonly clock: DeviceClock;
  readonly log: Logger;
  /**
   * Runs a command through the same path as one from the hub (validation, expiry, de-duplication
   * by a command id derived from scheduleId + occurrence, flash, state, ack to nobody).
   * Resolves with the result; an occurrence already run answers its remembered result.
   */
  run(input: {
    scheduleId: string;
    occurrence: string;
    capability: string;
    value?: SettingValue;
    params?: Record<string, number>;
    expiresAt: number;
  }): Promise<Ack>;
  emit(event: EventDraft): void;
}

export interface LocalScheduler {
  /** New schedules from the hub (already validated and persisted), or the persisted ones at boot. */
  load(schedules: DeviceSchedules | null): void;
  stop(): void;
}

export type LocalSchedulerFactory = (host: LocalSchedulerHost) => LocalScheduler;
