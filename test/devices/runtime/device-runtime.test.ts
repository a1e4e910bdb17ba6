// The firmware runtime against a plain aedes broker (no hub): announcements, command validation,
// acks, de-duplication across reboots, expiry, model faults, schedules, and seq across reboots.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createDeviceClock } from '../../../devices/runtime/device-clock.js';
import type { Device } from '../../../devices/runtime/device-runtime.js';
import { waitFor } from '../../support/wait.js';
import { useDeviceTestBed } from '../support/test-bed.js';

const _log = pino({ level: 'silent' });

describe('device runtime against a plain broker', () => {
  const bed = useDeviceTestBed();
  const boot = bed.boot;

  const command = (id: string, capability: string, body: Record<string, unknown>, ttlMs = 60_000) => {
    const now = Date.now();
    return { id, capability, ...body, issuedAt: now, expiresAt: now + ttlMs };
  };

  /** Sends and waits for the ack with that id, seen after this point. */
  const send = async (device: Device, cmd: Record<string, unknown> | string) => {
    const from = bed.broker.seen.length;
    const payload = typeof cmd === 'string' ? cmd : JSON.stringify(cmd);
    await bed.broker.watcher.publishAsync(`hearth/dev/${device.id}/cmd`, payload, { qos: 1 });
    const id = typeof cmd === 'string' ? undefined : cmd.id;
    return JSON.parse(
      await bed.broker.next(
        `hearth/dev/${device.id}/ack`,
        (p) => id === undefined || JSON.parse(p).id === id,
        from,
      ),
    );
  };

  const states = (device: Device) =>
    bed.broker.seen
      .filter((m) => m.topic === `hearth/dev/${device.id}/state`)
      .map((m) => JSON.parse(m.payload));

  it('announces retained info, state and online, then a booted event', async () => {
    const tv = await boot('tv');
    const info = JSON.parse(await bed.broker.next(`hearth/dev/${tv.id}/info`));
    expect(info).toMatchObject({ model: 'tv', firmware: '1.0.0', name: 'Test tv' });
    expect(info.capabilities.map((c: { name: string }) => c.name)).toEqual([
      'power',
      'channel',
      'volume',
      'mute',
      'input',
    ]);
    expect(await bed.broker.next(`hearth/dev/${tv.id}/status`)).toBe('online');
    expect(JSON.parse(await bed.broker.next(`hearth/dev/${tv.id}/state`)).values).toEqual({
      power: false,
      channel: 1,
      volume: 20,
      mute: false,
      input: 'tv',
    });
    expect(JSON.parse(await bed.broker.next(`hearth/dev/${tv.id}/event`))).toMatchObject({
      type: 'booted',
      firmware: '1.0.0',
    });
  });

  it('applies a setting: state first (seq grows), then the ack', async () => {
    const tv = await boot('tv');
    const before = await waitFor(() => states(tv).at(-1));
    expect(await send(tv, command('c1', 'channel', { value: 7 }))).toEqual({ id: 'c1', ok: true });
    const after = states(tv).at(-1);
    expect(after.values.channel).toBe(7);
    expect(after.seq).toBe(before.seq + 1);
  });

  it('acks every bad command with a code and changes nothing', async () => {
    const tv = await boot('tv');
    const cases: Array<[Record<string, unknown>, string]> = [
      [command('b1', 'volume', { value: 101 }), 'out_of_range'],
      [command('b2', 'channel', { value: 1.5 }), 'invalid_payload'],
      [command('b3', 'input', { value: 'vga' }), 'out_of_range'],
      [command('b4', 'feed', { params: { portions: 1 } }), 'unsupported'],
      [command('b5', 'warp', { value: 1 }), 'invalid_payload'], // not in the catalog: the schema refuses it
      [{ id: 'b6', capability: 'power', value: true }, 'invalid_payload'], // no issuedAt/expiresAt
      [command('b7', 'power', { value: 'yes' }), 'invalid_payload'],
      [command('b8', 'power', { params: { x: 1 } }), 'invalid_payload'],
    ];
    for (const [cmd, code] of cases) {
      const ack = await send(tv, cmd);
      expect(ack, JSON.stringify(cmd)).toMatchObject({ id: cmd.id, ok: false, error: { code } });
    }
    expect(tv.snapshot().values).toEqual({ power: false, channel: 1, volume: 20, mute: false, input: 'tv' });
    // No id at all: nothing to ack, but the device keeps going.
    await bed.broker.watcher.publishAsync(`hearth/dev/${tv.id}/cmd`, '{not json', { qos: 1 });
    expect(await send(tv, command('ok1', 'mute', { value: true }))).toEqual({ id: 'ok1', ok: true });
  });

  it('performs a feed once: a re-sent id is re-acked from memory, even after a reboot', async () => {
    const feeder = await boot('feeder');
    const feed = command('feed-1', 'feed', { params: { portions: 2 } });
    expect(await send(feeder, feed)).toEqual({ id: 'feed-1', ok: true });
    expect(feeder.snapshot().values.hopper).toBe(90);
    expect(await send(feeder, feed)).toEqual({ id: 'feed-1', ok: true });
    await feeder.reboot();
    await waitFor(() => feeder.online, { what: 'online after reboot' });
    expect(feeder.snapshot().bootCount).toBe(2);
    expect(await send(feeder, feed)).toEqual({ id: 'feed-1', ok: true });
    expect(feeder.snapshot().values.hopper).toBe(90);
    const fed = bed.broker.seen.filter(
      (m) => m.topic === `hearth/dev/${feeder.id}/event` && m.payload.includes('"fed"'),
    );
    expect(fed).toHaveLength(1);
    expect(JSON.parse(fed[0]?.payload as string)).toMatchObject({
      type: 'fed',
      portions: 2,
      commandId: 'feed-1',
    });
  });

  it('refuses an expired feed and never performs it', async () => {
    const feeder = await boot('feeder');
    const now = Date.now();
    const late = {
      id: 'late-1',
      capability: 'feed',
      params: { portions: 1 },
      issuedAt: now - 3 * 3600_000,
      expiresAt: now - 3 * 3600_000 + 300_000,
    };
    expect(await send(feeder, late)).toMatchObject({ id: 'late-1', ok: false, error: { code: 'expired' } });
    expect(feeder.snapshot().values.hopper).toBe(100);
  });

  it('a jammed feeder acks device_fault, reports the fault in state, and stays jammed through a reboot', async () => {
    const feeder = await boot('feeder');
    await feeder.fault({ fault: 'jam' });
    await waitFor(() => states(feeder).at(-1)?.fault === 'jam', { what: 'fault in state' });
    expect(await send(feeder, command('j1', 'feed', { params: { portions: 1 } }))).toMatchObject({
      ok: false,
      error: { code: 'device_fault', message: 'the feeder is jammed' },
    });
    await feeder.reboot();
    await waitFor(() => feeder.online);
    expect(feeder.snapshot().faults).toEqual(['jam']);
    await feeder.fault({ fault: 'jam', on: false });
    expect(await send(feeder, command('j2', 'feed', { params: { portions: 1 } }))).toEqual({
      id: 'j2',
      ok: true,
    });
    expect(feeder.snapshot().values.hopper).toBe(95);
    await expect(feeder.fault({ fault: 'device', name: 'overheat' })).rejects.toThrow(/no fault "overheat"/);
  });

  it('never reuses a seq after a reboot, and restores settings from flash', async () => {
    const tv = await boot('tv');
    await send(tv, command('v1', 'volume', { value: 42 }));
    const last = states(tv).at(-1).seq;
    tv.kill();
    await tv.start();
    await waitFor(() => states(tv).at(-1).seq > last, { what: 'a newer state' });
    expect(states(tv).at(-1).values.volume).toBe(42);
  });

  it('keeps valid schedules in flash and reports their version; ignores invalid ones', async () => {
    const feeder = await boot('feeder');
    const schedules = {
      version: 3,
      schedules: [
        {
          id: 'breakfast',
          cron: '0 8 * * *',
          tz: 'UTC',
          enabled: true,
          catchUp: { policy: 'skip' },
          command: { capability: 'feed', params: { portions: 1 } },
        },
      ],
    };
    await bed.broker.watcher.publishAsync(`hearth/dev/${feeder.id}/schedules`, JSON.stringify(schedules), {
      qos: 1,
      retain: true,
    });
    await waitFor(() => states(feeder).at(-1)?.schedulesVersion === 3, { what: 'schedulesVersion 3' });
    await bed.broker.watcher.publishAsync(
      `hearth/dev/${feeder.id}/schedules`,
      JSON.stringify({ version: 4, schedules: 'nope' }),
      { qos: 1 },
    );
    await send(feeder, command('after', 'feed', { params: { portions: 1 } }));
    expect(feeder.snapshot().schedulesVersion).toBe(3);
    await feeder.reboot();
    await waitFor(() => feeder.online);
    expect(feeder.snapshot().schedulesVersion).toBe(3);
  });

  it('without a clock of its own, holds commands until hearth/hub/time arrives', async () => {
    let wall = Date.now();
    const clock = createDeviceClock({ source: 'hub', wallNow: () => 0, monotonicNow: () => wall });
    const feeder = await boot('feeder', { clock });
    const from = bed.broker.seen.length;
    await bed.broker.watcher.publishAsync(
      `hearth/dev/${feeder.id}/cmd`,
      JSON.stringify(command('held', 'feed', { params: { portions: 1 } })),
      { qos: 1 },
    );
    // A marker after it on the same subscription: once its effect shows, the command was received.
    const marker = { version: 1, schedules: [] };
    await bed.broker.watcher.publishAsync(`hearth/dev/${feeder.id}/schedules`, JSON.stringify(marker), {
      qos: 1,
    });
    await waitFor(() => states(feeder).at(-1)?.schedulesVersion === 1, { what: 'marker processed' });
    expect(bed.broker.seen.slice(from).some((m) => m.topic.endsWith('/ack'))).toBe(false);
    expect(clock.synced).toBe(false);
    wall = 5; // the monotonic clock moved; hub time says what it means
    await bed.broker.watcher.publishAsync('hearth/hub/time', JSON.stringify({ now: Date.now() }), {
      qos: 1,
      retain: true,
    });
    const ack = JSON.parse(
      await bed.broker.next(`hearth/dev/${feeder.id}/ack`, (p) => JSON.parse(p).id === 'held', from),
    );
    expect(ack).toEqual({ id: 'held', ok: true });
    expect(clock.synced).toBe(true);
  });

  it('contact sensor emits contact events; thermostat drifts toward its target on ticks', async () => {
    const door = await boot('contact-sensor');
    await door.sense({ contact: false });
    expect(
      JSON.parse(await bed.broker.next(`hearth/dev/${door.id}/event`, (p) => p.includes('"contact"'))),
    ).toMatchObject({
      type: 'contact',
      open: true,
    });
    expect(states(door).at(-1).values.contact).toBe(false);
    const thermostat = await boot('thermostat');
    await send(thermostat, command('t1', 'target_temperature', { value: 21 }));
    thermostat.tick(60_000);
    await waitFor(() => states(thermostat).at(-1)?.values.temperature === 18.5, { what: 'drift' });
    for (let i = 0; i < 10; i += 1) thermostat.tick(60_000);
    await waitFor(() => thermostat.snapshot().values.temperature === 21, { what: 'reach target' });
  });
});
