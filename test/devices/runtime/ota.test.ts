// The device's update path against a plain broker and a small ranged file server standing in for
// the hub's download route: a good update confirms and reports; each bad build rolls back by
// itself within the bound; a dropped download resumes with a Range request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDevice, type Device } from '../../../devices/runtime/device-runtime.js';
import type { OtaOffer } from '../../../shared/payloads.js';
import { generateReleaseKey, loadReleasePrivateKey } from '../../../shared/release-key.js';
import {
  decodeUpdateImage,
  encodeUpdateImage,
  type FirmwareBehaviour,
} from '../../../shared/update-image.js';
import { waitFor } from '../../support/wait.js';
import { type PlainBroker, startPlainBroker, tempDir, testImage } from '../support/plain-broker.js';

const key = generateReleaseKey();
const build = (version: string, behaviour: FirmwareBehaviour = 'good') =>
  encodeUpdateImage({
    manifest: { model: 'light', version, behaviour, builtAt: 1 },
    codeSize: 200_000,
    privateKey: loadReleasePrivateKey(key.privatePem),
    publicKey: key.publicKey,
  });

describe('device OTA', () => {
  let broker: PlainBroker;
  let dir: ReturnType<typeof tempDir>;
  let server: Server;
  let httpPort = 0;
  const files = new Map<string, Buffer>();
  const ranges: string[] = [];
  const devices: Device[] = [];
  const progress: Array<{ device: string; phase: string; version: string }> = [];

  beforeEach(async () => {
    broker = await startPlainBroker();
    dir = tempDir();
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (req.headers.range) ranges.push(req.headers.range);
      const from = m ? Number(m[1]) : 0;
      res.writeHead(m ? 206 : 200, {
        'content-length': body.length - from,
        ...(m ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
      });
      res.end(body.subarray(from));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    httpPort = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) d.kill();
    await broker.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    dir.remove();
    files.clear();
    ranges.length = 0;
    progress.length = 0;
  });

  const boot = async (healthMs = 2000) => {
    const device = createDevice({
      image: testImage('light', { port: broker.port, releaseKey: key.publicKey }),
      flashDir: dir.path,
      log: pino({ level: 'silent' }),
      backoff: { baseMs: 20, maxMs: 200 },
      otaHealthMs: healthMs,
      onOta: (d, p) => progress.push({ device: d.id, ...p }),
    });
    devices.push(device);
    await device.start();
    await waitFor(() => device.online, { what: 'online' });
    return device;
  };

  const offer = async (device: Device, bytes: Buffer, version: string) => {
    const path = `/api/v1/firmware/images/${version}/download`;
    files.set(path, bytes);
    const image = decodeUpdateImage(bytes);
    const body: OtaOffer = {
      rollout: 'r-test',
      model: 'light',
      version,
      path,
      httpPort,
      sha256: image.sha256,
      size: image.size,
      signature: image.signature,
    };
    await broker.watcher.publishAsync(`hearth/dev/${device.id}/ota`, JSON.stringify(body), { qos: 1 });
  };

  const info = (id: string) =>
    JSON.parse(
      [...broker.seen].reverse().find((m) => m.topic === `hearth/dev/${id}/info`)?.payload ?? '{}',
    ) as { firmware?: string; update?: { result: string; version: string; reason?: string } };

  it('a good update is written, booted, confirmed and reported', async () => {
    const device = await boot();
    await offer(device, build('1.1.0'), '1.1.0');
    const updated = await waitFor(() => info(device.id).update?.result === 'updated' && info(device.id), {
      what: 'updated info',
    });
    expect(updated.firmware).toBe('1.1.0');
    expect(progress.map((p) => p.phase)).toEqual(['downloading', 'writing', 'written', 'updated']);
    await broker.next(`hearth/dev/${device.id}/event`, (p) => p.includes('"phase":"updated"'));
    expect(device.snapshot().bootCount).toBe(2);
  });

  it.each([
    ['fail-self-test', /self-test failed/],
    ['crash-at-boot', /restarted before it confirmed/],
    ['never-reconnect', /no healthy confirmation within/],
  ] as const)('a %s build rolls back to the old slot by itself', async (behaviour, reason) => {
    const device = await boot(1500);
    const t0 = Date.now();
    await offer(device, build('1.1.0', behaviour), '1.1.0');
    const back = await waitFor(() => info(device.id).update?.result === 'rolled-back' && info(device.id), {
      what: 'rolled-back info',
    });
    expect(back.firmware).toBe('1.0.0');
    expect(back.update?.reason).toMatch(reason);
    expect(Date.now() - t0).toBeLessThan(8000);
    await waitFor(() => device.online, { what: 'online on the old slot' });
  });

  it('a dropped download resumes with a Range request', async () => {
    const device = await boot();
    await device.fault({ fault: 'drop-download', afterBytes: 60_000 });
    await offer(device, build('1.2.0'), '1.2.0');
    await waitFor(() => info(device.id).update?.result === 'updated', { what: 'updated' });
    expect(progress.map((p) => p.phase)).toContain('resumed');
    expect(ranges[0]).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('refuses a downgrade and an image for which the signature fails', async () => {
    const device = await boot();
    await offer(device, build('0.9.0'), '0.9.0');
    await waitFor(() => info(device.id).update?.result === 'refused', { what: 'refused' });
    expect(info(device.id).update?.reason).toMatch(/older/);
    const forged = Buffer.from(build('1.3.0'));
    forged[forged.length - 40] = (forged[forged.length - 40] ?? 0) ^ 1;
    await offer(device, forged, '1.3.0');
    await waitFor(() => info(device.id).update?.version === '1.3.0', { what: 'refused 1.3.0' });
    expect(info(device.id).update).toMatchObject({
      result: 'refused',
      reason: expect.stringMatching(/signature/),
    });
    expect(info(device.id).firmware).toBe('1.0.0');
  });
});
