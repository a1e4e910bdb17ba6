// Connection faults and power cuts: the will, drops, a hub that goes away and comes back, a frozen
// device, slow acks, and a flash write cut off by a power cut.
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createDevice, type Device } from '../../../devices/runtime/device-runtime.js';
import { waitFor } from '../../support/wait.js';
import { startPlainBroker, testImage } from '../support/plain-broker.js';
import { useDeviceTestBed } from '../support/test-bed.js';

const log = pino({ level: 'silent' });

describe('device runtime: faults and recovery', () => {
  const bed = useDeviceTestBed();
  const boot = bed.boot;

  const statuses = (d: Device) =>
    bed.broker.seen.filter((m) => m.topic === `hearth/dev/${d.id}/status`).map((m) => m.payload);
  const cmd = (id: string, capability: string, body: Record<string, unknown>) => {
    const now = Date.now();
    return JSON.stringify({ id, capability, ...body, issuedAt: now, expiresAt: now + 60_000 });
  };

  it('a killed device goes offline through its retained will', async () => {
    const tv = await boot('tv');
    await waitFor(() => statuses(tv).at(-1) === 'online');
    tv.kill();
    await waitFor(() => statuses(tv).at(-1) === 'offline', { what: 'will' });
  });

  it('stop() says offline itself and disconnects cleanly', async () => {
    const tv = await boot('tv');
    await tv.stop();
    await waitFor(() => statuses(tv).at(-1) === 'offline');
    expect(tv.snapshot().running).toBe(false);
  });

  it('reconnects after a dropped connection', async () => {
    const light = await boot('light');
    const onlineBefore = statuses(light).filter((s) => s === 'online').length;
    await light.fault({ fault: 'drop' });
    await waitFor(() => statuses(light).filter((s) => s === 'online').length > onlineBefore, {
      what: 'back online',
    });
    expect(statuses(light)).toContain('offline'); // the broker saw it vanish
  });

  it('keeps retrying with backoff while the hub is away, and comes back when it returns', async () => {
    const light = await boot('light');
    const port = bed.broker.port;
    await bed.broker.close();
    await waitFor(() => !light.online, { what: 'offline' });
    bed.broker = await startPlainBroker(port);
    await waitFor(() => light.online, { what: 'reconnected', timeoutMs: 10_000 });
    expect(await bed.broker.next(`hearth/dev/${light.id}/status`)).toBe('online');
  });

  it('a frozen device answers nothing; thawed, it answers again', async () => {
    const tv = await boot('tv');
    await tv.fault({ fault: 'freeze', on: true });
    const from = bed.broker.seen.length;
    // Wait until the device's MQTT stack has taken f1 (its PUBACK), so we know the firmware saw it.
    const delivered = new Promise<void>((resolve) =>
      bed.broker.broker.on('ack', (packet, client) => {
        if (client?.id === tv.id && packet && 'payload' in packet && String(packet.payload).includes('"f1"'))
          resolve();
      }),
    );
    await bed.broker.watcher.publishAsync(`hearth/dev/${tv.id}/cmd`, cmd('f1', 'power', { value: true }), {
      qos: 1,
    });
    await delivered;
    await tv.fault({ fault: 'freeze', on: false });
    await bed.broker.watcher.publishAsync(`hearth/dev/${tv.id}/cmd`, cmd('f2', 'mute', { value: true }), {
      qos: 1,
    });
    await bed.broker.next(`hearth/dev/${tv.id}/ack`, (p) => p.includes('"f2"'), from);
    expect(
      bed.broker.seen.slice(from).some((m) => m.topic.endsWith('/ack') && m.payload.includes('"f1"')),
    ).toBe(false);
    expect(tv.snapshot().values.power).toBe(false);
  });

  it('slow acks arrive late but arrive', async () => {
    const tv = await boot('tv');
    await tv.fault({ fault: 'slow-acks', ms: 300 });
    const from = bed.broker.seen.length;
    const t0 = Date.now();
    await bed.broker.watcher.publishAsync(`hearth/dev/${tv.id}/cmd`, cmd('s1', 'power', { value: true }), {
      qos: 1,
    });
    await bed.broker.next(`hearth/dev/${tv.id}/ack`, (p) => p.includes('"s1"'), from);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('boots from the last good flash copy when the newest was cut off mid-write', async () => {
    const feeder = await boot('feeder');
    const send = async (id: string) => {
      const from = bed.broker.seen.length;
      await bed.broker.watcher.publishAsync(
        `hearth/dev/${feeder.id}/cmd`,
        cmd(id, 'feed', { params: { portions: 1 } }),
        { qos: 1 },
      );
      await bed.broker.next(`hearth/dev/${feeder.id}/ack`, (p) => p.includes(`"${id}"`), from);
    };
    await send('a1'); // hopper 95
    await send('a2'); // hopper 90, written to the other slot
    feeder.kill();
    const slots = readdirSync(bed.dir.path).filter(
      (f) => f.startsWith(`${feeder.id}.flash.`) && !f.endsWith('.tmp'),
    );
    expect(slots.sort()).toEqual([`${feeder.id}.flash.a`, `${feeder.id}.flash.b`]);
    const newest = slots
      .map((f) => ({ f, gen: Number(readFileSync(join(bed.dir.path, f), 'utf8').split(' ')[1]) }))
      .sort((x, y) => y.gen - x.gen)[0]?.f as string;
    truncateSync(join(bed.dir.path, newest), 200); // the power went half-way through writing it
    await feeder.start();
    await waitFor(() => feeder.online);
    expect(feeder.snapshot().values.hopper).toBe(95);
    expect(feeder.snapshot().bootCount).toBe(2);
  });

  it('refuses to boot when no flash copy is readable, saying which and why', async () => {
    const tv = await boot('tv');
    tv.kill();
    // A flash write already under way when the power went still lands (as on a real board):
    // wait until the folder is quiet before spoiling every copy.
    let last = '';
    await waitFor(
      () => {
        const now = readdirSync(bed.dir.path)
          .map((f) => `${f}:${statSync(join(bed.dir.path, f)).mtimeMs}`)
          .join(',');
        const quiet = now === last && !now.includes('.tmp');
        last = now;
        return quiet;
      },
      { what: 'flash writes settled', intervalMs: 50 },
    );
    for (const f of readdirSync(bed.dir.path)) writeFileSync(join(bed.dir.path, f), 'garbage');
    await expect(tv.start()).rejects.toThrow(
      /flash .* is unreadable: slot a: .*slot b:|flash .* is unreadable: slot a/,
    );
  });

  it('refuses an image of a model this firmware does not know', () => {
    const image = testImage('tv', { port: bed.broker.port });
    const alien = {
      ...image,
      body: { ...image.body, identity: { ...image.body.identity, model: 'toaster' } },
    };
    expect(() => createDevice({ image: alien, flashDir: bed.dir.path, log })).toThrow(/no model "toaster"/);
  });
});
