// The firmware runtime: boots an image, keeps its flash, speaks the wire contract over MQTT and
// runs the model's handlers. Each power cycle (start → kill/stop) is a fresh `Boot` that re-reads
// flash from disk, exactly like a real board: nothing survives a reboot unless it was flashed.

import { HearthError } from '../../shared/errors.js';
import { findModel } from '../models/index.js';
import type { DeviceModel, Values } from '../models/model.js';
import { createBoot } from './boot.js';
import type { Boot } from './boot-contract.js';
import { createDeviceStatic } from './device-static.js';
import type { Device, DeviceOptions, DeviceSnapshot, DeviceStatic } from './device-types.js';
import { type FaultSwitch, FaultSwitchSchema } from './faults.js';

export type { Device, DeviceOptions, DeviceSnapshot, DeviceStatic } from './device-types.js';

/** How long a reboot waits for the goodbye (offline published, flash flushed) before cutting power. */
const STOP_BOUND_MS = 5000;
/** Like a boot loader, a failed boot (a flash read racing a write, say) is tried this often. */
const BOOT_ATTEMPTS = 5;

export function createDevice(options: DeviceOptions): Device {
  const { image } = options;
  const model = findModel(image.body.identity.model);
  if (!model)
    throw new HearthError('unsupported', `this firmware has no model "${image.body.identity.model}"`);
  return new SimulatedDevice(options, model);
}

/** One simulated board: at most one boot at a time, and the switches that outlive its reboots. */
class SimulatedDevice implements Device {
  readonly model: string;
  private boot: Boot | null = null;
  private lastOnline = false;
  private readonly owner: string;
  private readonly shared: DeviceStatic;

  constructor(
    private readonly options: DeviceOptions,
    model: DeviceModel,
  ) {
    const { identity } = options.image.body;
    this.model = model.model;
    this.owner = identity.deviceId ?? `claim-${identity.claimId}`;
    this.shared = createDeviceStatic(options, model, this.owner, {
      restart: () => {
        setImmediate(() => {
          this.restartGracefully().catch((err: unknown) => options.log.error({ err }, 'reboot failed'));
        });
      },
      otaProgress: (phase, version, detail) => {
        options.onOta?.(this, { phase, version, ...(detail ? { detail } : {}) });
      },
      notify: () => this.notify(),
    });
  }

  get id(): string {
    return this.boot?.deviceId ?? this.owner;
  }

  get online(): boolean {
    return this.boot?.online ?? false;
  }

  async start(): Promise<void> {
    if (this.boot) return;
    const boot = createBoot(this.shared);
    this.boot = boot;
    try {
      await boot.start();
    } catch (err) {
      boot.kill();
      if (this.boot === boot) this.boot = null;
      throw err;
    }
  }

  async stop(): Promise<void> {
    const b = this.boot;
    this.boot = null;
    await b?.stop();
    this.notify();
  }

  kill(): void {
    const b = this.boot;
    this.boot = null;
    b?.kill();
    this.notify();
  }

  async reboot(): Promise<void> {
    this.kill();
    await this.start();
  }

  async restartGracefully(): Promise<void> {
    const b = this.boot;
    if (!b) return;
    this.boot = null;
    await this.stopWithinBound(b);
    this.notify();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.start();
      } catch (err) {
        if (attempt >= BOOT_ATTEMPTS) throw err;
        this.options.log.warn({ err, device: this.id, attempt }, 'boot failed; retrying');
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async fault(input: FaultSwitch): Promise<void> {
    const f = FaultSwitchSchema.parse(input);
    const { switches } = this.shared;
    switch (f.fault) {
      case 'drop':
        return this.boot?.drop();
      case 'freeze':
        switches.frozen = f.on;
        return;
      case 'slow-acks':
        switches.slowAckMs = f.ms;
        return;
      case 'reboot':
        return this.reboot();
      case 'drop-download':
        switches.ota.dropDownloadAfter = f.afterBytes;
        return;
      case 'slow-slot-write':
        switches.ota.slotWriteDelayMs = f.ms;
        return;
      case 'jam':
        return this.requireBoot().setFault('jam', f.on);
      case 'device':
        return this.requireBoot().setFault(f.name, f.on);
    }
  }

  async sense(readings: Values): Promise<void> {
    await this.requireBoot().sense(readings);
  }

  tick(elapsedMs: number): void {
    this.boot?.tick(elapsedMs);
  }

  snapshot(): DeviceSnapshot {
    const s = this.boot?.snapshot();
    return {
      id: this.id,
      model: this.model,
      online: this.online,
      running: this.boot !== null,
      bootCount: s?.bootCount ?? 0,
      seq: s?.seq ?? 0,
      values: s?.values ?? {},
      faults: s?.faults ?? [],
      frozen: this.shared.switches.frozen,
      slowAckMs: this.shared.switches.slowAckMs,
      schedulesVersion: s?.schedulesVersion ?? null,
    };
  }

  /** A goodbye that the broker does not acknowledge in time must not keep the device down. */
  private async stopWithinBound(b: Boot): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STOP_BOUND_MS);
    });
    if ((await Promise.race([b.stop(), late])) === 'late') {
      this.options.log.warn({ device: this.id }, 'graceful stop took too long: power-cycling instead');
      b.kill();
    }
    clearTimeout(timer);
  }

  private requireBoot(): Boot {
    if (!this.boot) throw new HearthError('unavailable', `device ${this.id} is not running`);
    return this.boot;
  }

  private notify(): void {
    const online = this.online;
    if (online !== this.lastOnline) {
      this.lastOnline = online;
      this.options.onChange?.(this);
    }
  }
}
