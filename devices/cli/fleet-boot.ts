// The device side of `hearth fleet`: boots every image in one host (64 at a time), waits until all
// are online or the timeout passes, and measures what it cost: time, CPU and memory per device.
import type { FirmwareImage } from '../../shared/firmware-image.js';
import { createDeviceHost, type DeviceHost } from '../host/device-host.js';
import { createDeviceLogger } from '../log.js';
import type { Progress } from './progress.js';
import { printLine } from './serve.js';

export interface FleetBoot {
  host: DeviceHost;
  connectMs: number;
  /** CPU this process spent booting and connecting the fleet. */
  cpuMs: number;
  rssMB: number;
  heapMB: number;
  perDeviceKB: number;
  perDeviceHeapKB: number;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

export async function bootFleet(
  images: FirmwareImage[],
  opts: { flashDir: string; otaHealthMs: number | undefined; timeoutS: number; json: boolean },
  progress: Progress,
): Promise<FleetBoot> {
  const count = images.length;
  gc();
  const before = process.memoryUsage();
  const host = createDeviceHost({
    flashDir: opts.flashDir,
    log: createDeviceLogger('error'),
    keepaliveSec: 60,
    ...(opts.otaHealthMs ? { otaHealthMs: opts.otaHealthMs } : {}),
    onOta: (d, p) =>
      printLine(opts.json, { event: 'ota', device: d.id, ...p }, `${d.id} firmware ${p.version}: ${p.phase}`),
  });
  for (const image of images) host.add(image);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  await host.startAll(64);
  const deadline = Date.now() + opts.timeoutS * 1000;
  while (host.onlineCount() < count && Date.now() < deadline) {
    progress.update(host.onlineCount() / count, `online ${host.onlineCount()}/${count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  progress.done();
  const connectMs = Math.round(performance.now() - t1);
  const cpu = process.cpuUsage(cpu0);
  gc();
  const after = process.memoryUsage();
  return {
    host,
    connectMs,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssMB: mb(after.rss),
    heapMB: mb(after.heapUsed),
    perDeviceKB: Math.round((after.rss - before.rss) / count / 102.4) / 10,
    perDeviceHeapKB: Math.round((after.heapUsed - before.heapUsed) / count / 102.4) / 10,
  };
}
