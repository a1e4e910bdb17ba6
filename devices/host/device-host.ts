// Runs many devices in one process: one shared ticker, one code path per device, control lines
// dispatched by device id. `hearth device run` and `hearth fleet` are thin shells around this.
import { HearthError } from '../../shared/errors.js';
import type { FirmwareImage } from '../../shared/firmware-image.js';
import { mdnsHubLocator } from '../discovery/mdns-locator.js';
import { mqttProvisioning } from '../discovery/provisioning.js';
import { createLocalScheduler } from '../local-scheduler.js';
import { type ClockSource, createDeviceClock } from '../runtime/device-clock.js';
import {
  createDevice,
  type Device,
  type DeviceOptions,
  type DeviceSnapshot,
} from '../runtime/device-runtime.js';
import { createTicker } from '../runtime/ticker.js';
import type { ControlLine } from './control.js';

/** The device options every device in the host gets, and how the host's own clock and ticker run. */
export interface HostOptions
  extends Pick<
    DeviceOptions,
    | 'flashDir'
    | 'log'
    | 'locators'
    | 'provisioning'
    | 'localScheduler'
    | 'backoff'
    | 'keepaliveSec'
    | 'onChange'
    | 'otaHealthMs'
    | 'onOta'
  > {
  /** How often models with physics (thermostat, plug) advance. */
  tickMs?: number;
  clock?: ClockSource;
  /** The devices' own clocks are this far off (a device with no NTP); drills set it. */
  clockOffsetMs?: number;
}

export interface DeviceHost {
  add(image: FirmwareImage): Device;
  readonly devices: readonly Device[];
  /** Boots every device not yet running, `concurrency` at a time (flash I/O bound). */
  startAll(concurrency?: number): Promise<void>;
  onlineCount(): number;
  control(line: ControlLine): Promise<DeviceSnapshot[]>;
  stopAll(): Promise<void>;
  killAll(): void;
}

export function createDeviceHost(options: HostOptions): DeviceHost {
  const ticker = createTicker(options.tickMs ?? 5000);
  const localScheduler = createLocalScheduler();
  const mdnsHub = mdnsHubLocator();
  const devices: Device[] = [];
  let online = 0;

  const select = (target: string): Device[] => {
    if (target === '*') return devices;
    const hit = devices.filter((d) => d.id === target);
    if (hit.length === 0) throw new HearthError('unknown_device', `no device "${target}" in this process`);
    return hit;
  };

  return {
    add(image) {
      const device = createDevice({
        image,
        flashDir: options.flashDir,
        log: options.log,
        ticker,
        clock: createDeviceClock({
          source: options.clock ?? 'system',
          ...(options.clockOffsetMs ? { wallNow: () => Date.now() + (options.clockOffsetMs as number) } : {}),
        }),
        // Cached addresses first (built in); mDNS when they fail or there are none. Test rigs with
        // no multicast-capable network turn the browse off (HEARTH_DEVICE_MDNS=off).
        locators: options.locators ?? (process.env.HEARTH_DEVICE_MDNS === 'off' ? [] : [mdnsHub]),
        // Factory images get themselves adopted over the provisioning topics.
        provisioning:
          options.provisioning ?? mqttProvisioning({ mdns: process.env.HEARTH_DEVICE_MDNS !== 'off' }),
        // Devices with the `schedules` feature run their schedules themselves (feeder, thermostat).
        localScheduler: options.localScheduler ?? localScheduler,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.keepaliveSec ? { keepaliveSec: options.keepaliveSec } : {}),
        ...(options.otaHealthMs ? { otaHealthMs: options.otaHealthMs } : {}),
        ...(options.onOta ? { onOta: options.onOta } : {}),
        onChange: (d) => {
          online += d.online ? 1 : -1;
          options.onChange?.(d);
        },
      });
      if (devices.some((d) => d.id === device.id))
        throw new HearthError('conflict', `device ${device.id} is already running here`);
      devices.push(device);
      return device;
    },
    devices,
    async startAll(concurrency = 32) {
      let next = 0;
      const worker = async () => {
        while (next < devices.length) {
          const d = devices[next++] as Device;
          if (!d.snapshot().running) await d.start();
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, devices.length) }, worker));
    },
    onlineCount: () => online,
    async control(line) {
      const targets = select(line.device);
      const { action } = line;
      for (const d of targets) {
        if (action.kind === 'fault') await d.fault(action.fault);
        else if (action.kind === 'sense') await d.sense(action.readings);
        else if (action.op === 'stop') await d.stop();
        else if (action.op === 'start') await d.start();
        else if (action.op === 'kill') d.kill();
        else if (action.op === 'reboot') await d.reboot();
      }
      return targets.map((d) => d.snapshot());
    },
    async stopAll() {
      ticker.stop();
      await Promise.all(devices.map((d) => d.stop()));
    },
    killAll() {
      ticker.stop();
      for (const d of devices) d.kill();
    },
  };
}
