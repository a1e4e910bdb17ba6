// Per-test setup for runtime tests: a fresh plain broker and flash folder, devices booted against
// it, and everything torn down afterwards (devices killed, broker closed, folder removed).
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { createDevice, type Device, type DeviceOptions } from '../../../devices/runtime/device-runtime.js';
import { waitFor } from '../../support/wait.js';
import { type PlainBroker, startPlainBroker, tempDir, testImage } from './plain-broker.js';

export interface DeviceTestBed {
  /** Replaceable (a test may restart the broker on the same port). */
  broker: PlainBroker;
  dir: { path: string; remove(): void };
  boot(model: string, extra?: Partial<DeviceOptions>): Promise<Device>;
}

export function useDeviceTestBed(): DeviceTestBed {
  const log = pino({ level: 'silent' });
  const devices: Device[] = [];
  const bed = {
    boot: async (model: string, extra: Partial<DeviceOptions> = {}) => {
      const device = createDevice({
        image: testImage(model, { port: bed.broker.port }),
        flashDir: bed.dir.path,
        log,
        backoff: { baseMs: 20, maxMs: 200 },
        ...extra,
      });
      devices.push(device);
      await device.start();
      await waitFor(() => device.online, { what: `${model} online` });
      return device;
    },
  } as DeviceTestBed;
  beforeEach(async () => {
    bed.broker = await startPlainBroker();
    bed.dir = tempDir();
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) d.kill();
    await bed.broker.close();
    bed.dir.remove();
  });
  return bed;
}
