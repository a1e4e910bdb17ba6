// The hub scheduler on fake timers: a real SQLite file, the real registry and command service; the
// broker is replaced by a recorder of what the hub publishes (the broker has its own tests, and
// fake timers cannot drive real sockets). Covers hub-run firing, DST days, catch-up across a hub
// restart, device pushes, device-run reports, removal, and every refusal with its code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCommandPath } from '../../../hub/core/commands/command-path.js';
import type { CoreContext, HubMessaging } from '../../../hub/core/context.js';
import { createDeviceRegistry, type InternalRegistry } from '../../../hub/core/registry/device-registry.js';
import { createScheduler, type SchedulerUnit } from '../../../hub/scheduler/index.js';
import type { CreateScheduleBody } from '../../../hub/scheduler/schemas.js';
import type { Store } from '../../../hub/store/db.js';
import { HearthError } from '../../../shared/errors.js';
import { testContext } from '../../support/context.js';

interface Rig {
  ctx: CoreContext;
  registry: InternalRegistry;
  published: Array<{ topic: string; payload: string; retain: boolean }>;
  scheduler: SchedulerUnit;
  /** What the inbound router does with an ack the device publishes. */
  ack(deviceId: string, ack: { id: string; ok: true }): void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

let dataDir: string;
let rig: Rig;
let store: Store;

async function startRig(): Promise<Rig> {
  const base = testContext({ dataDir, timeZone: 'Europe/London' });
  store = base.store;
  const published: Rig['published'] = [];
  const messaging: HubMessaging = {
    async publish(topic, payload, options = {}) {
      published.push({ topic, payload: payload.toString(), retain: options.retain ?? false });
    },
    async subscribe() {
      return async () => undefined;
    },
  };
  const registry = createDeviceRegistry({ ctx: base, messaging });
  registry.load();
  for (const d of registry.list()) (registry.entry(d.id) as { view: { online: boolean } }).view.online = true;
  const { commands, twin } = createCommandPath(base, messaging, registry);
  commands.start();
  twin.start();
  const ctx: CoreContext = { ...base, messaging, registry, commands, ports: { http: 0, mqtt: 0 } };
  const scheduler = createScheduler(ctx);
  await scheduler.start();
  const stop = async () => {
    await scheduler.stop();
    twin.stop();
    commands.stop();
    base.writes.flush();
    store.close();
  };
  return {
    ctx,
    registry,
    published,
    scheduler,
    ack(deviceId, ack) {
      const entry = registry.entry(deviceId);
      if (entry) commands.ackChannel(entry, Buffer.from(JSON.stringify(ack)));
    },
    stop,
    async restart() {
      await stop();
      rig = await startRig();
    },
  };
}

const scheduleCommands = () =>
  rig.ctx.commands.list({ limit: 500 }).filter((c) => c.source.startsWith('schedule:'));
/** The run log's rows, as a reader sees them once the hub's batched writes are in. */
const runs = (scheduleId?: string) => {
  rig.ctx.writes.flush();
  return store.sqlite
    .prepare(`SELECT * FROM schedule_runs ${scheduleId ? 'WHERE schedule_id = ?' : ''} ORDER BY scheduled_at`)
    .all(...(scheduleId ? [scheduleId] : [])) as Array<Record<string, unknown>>;
};

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return err instanceof HearthError ? err.code : String(err);
  }
  return undefined;
}

const light = (deviceId: string, extra: Partial<CreateScheduleBody> = {}): CreateScheduleBody => ({
  deviceId,
  command: { capability: 'power', value: true },
  cron: '0 18 * * *',
  ...extra,
});

describe('hub scheduler on a fake clock', () => {
  let lamp: string;
  let feeder: string;

  beforeEach(async () => {
    vi.useFakeTimers({ now: new Date('2025-01-10T17:00:00Z') });
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-sched-'));
    rig = await startRig();
    lamp = rig.registry.create({ name: 'lamp', model: 'light', id: 'lamp-1' }).device.id;
    feeder = rig.registry.create({ name: 'feeder', model: 'feeder', id: 'feeder-1' }).device.id;
    for (const id of [lamp, feeder])
      (rig.registry.entry(id) as { view: { online: boolean } }).view.online = true;
  });

  afterEach(async () => {
    await rig.stop();
    vi.useRealTimers();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires a hub-run schedule on time through the command service, once', async () => {
    const s = await rig.scheduler.service.create(light(lamp, { id: 'evening' }));
    expect(s.runsOn).toBe('hub');
    expect(s.nextRunAt).toBe(Date.parse('2025-01-10T18:00:00Z'));
    await vi.advanceTimersByTimeAsync(3600_000 - 1);
    expect(scheduleCommands()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const cmds = scheduleCommands();
    expect(cmds).toHaveLength(1);
    expect(cmds[0]).toMatchObject({
      deviceId: lamp,
      capability: 'power',
      value: true,
      source: 'schedule:evening',
    });
    const [run] = runs('evening');
    expect(run).toMatchObject({
      occurrence: 'evening@2025-01-10T18:00:00.000Z',
      by: 'hub',
      status: 'issued',
      command_id: cmds[0]?.id,
    });
    expect(run?.late as number).toBeLessThan(50);
    // The ack settles the run.
    rig.ack(lamp, { id: cmds[0]?.id as string, ok: true });
    expect(runs('evening')[0]?.status).toBe('ok');
    expect(rig.scheduler.service.get('evening').nextRunAt).toBe(Date.parse('2025-01-11T18:00:00Z'));
  });

  it('DST days: one run in the repeated hour and one in the skipped hour (Europe/London, America/New_York)', async () => {
    const cases = [
      ['Europe/London', '2025-10-25T22:00:00Z', ['2025-10-26T00:30:00.000Z']],
      ['Europe/London', '2025-03-29T22:00:00Z', ['2025-03-30T01:00:00.000Z']],
      ['America/New_York', '2025-11-02T03:00:00Z', ['2025-11-02T05:30:00.000Z']],
      ['America/New_York', '2025-03-09T04:00:00Z', ['2025-03-09T07:00:00.000Z']],
    ] as const;
    for (const [i, [tz, from, expected]] of cases.entries()) {
      vi.setSystemTime(new Date(from));
      const cron = tz === 'America/New_York' && from.startsWith('2025-03') ? '30 2 * * *' : '30 1 * * *';
      await rig.scheduler.service.create(light(lamp, { id: `dst-${i}`, cron, tz }));
      await vi.advanceTimersByTimeAsync(6 * 3600_000);
      expect(runs(`dst-${i}`).map((r) => new Date(r.scheduled_at as number).toISOString())).toEqual(expected);
      await rig.scheduler.service.remove(`dst-${i}`);
    }
  });

  it('catch-up across a hub restart: run-once-if-late runs once, skip records a miss, never twice', async () => {
    await rig.scheduler.service.create(
      light(lamp, { id: 'late-ok', catchUp: { policy: 'run-once-if-late', withinMinutes: 30 } }),
    );
    await rig.scheduler.service.create(light(lamp, { id: 'skipper', catchUp: { policy: 'skip' } }));
    await rig.stop();
    vi.setSystemTime(new Date('2025-01-10T18:10:00Z')); // the hub was off at 18:00
    await rig.restart();
    expect(scheduleCommands().map((c) => c.source)).toEqual(['schedule:late-ok']);
    expect(runs('late-ok')[0]).toMatchObject({ status: 'issued', catch_up: 1, reason: 'late' });
    expect(runs('skipper')[0]).toMatchObject({ status: 'missed', reason: 'skip-policy', ran_at: null });
    await rig.restart();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(scheduleCommands()).toHaveLength(1);
    expect(runs()).toHaveLength(2);
  });

  it('pushes device-run schedules with a growing version and reports sync', async () => {
    const s = await rig.scheduler.service.create({
      id: 'breakfast',
      deviceId: feeder,
      command: { capability: 'feed', params: { portions: 2 } },
      cron: '0 7 * * *',
      catchUp: { policy: 'run-once-if-late', withinMinutes: 20 },
    });
    expect(s.runsOn).toBe('device');
    // The device got an empty list (its first version) when it was added.
    const v = s.sync?.version as number;
    expect(s.sync).toEqual({ version: v, deviceVersion: null, inSync: false });
    const pushes = () => rig.published.filter((p) => p.topic === `hearth/dev/${feeder}/schedules`);
    expect(pushes().at(-1)?.retain).toBe(true);
    expect(JSON.parse(pushes().at(-1)?.payload ?? '{}')).toEqual({
      version: v,
      schedules: [
        {
          id: 'breakfast',
          cron: '0 7 * * *',
          tz: 'Europe/London',
          enabled: true,
          catchUp: { policy: 'run-once-if-late', withinMinutes: 20 },
          command: { capability: 'feed', params: { portions: 2 } },
        },
      ],
    });
    await rig.scheduler.service.update('breakfast', { cron: '30 7 * * *' });
    expect(JSON.parse(pushes().at(-1)?.payload ?? '{}').version).toBe(v + 1);
    (rig.registry.entry(feeder) as { view: { schedulesVersion: number | null } }).view.schedulesVersion =
      v + 1;
    expect(rig.scheduler.service.get('breakfast').sync).toEqual({
      version: v + 1,
      deviceVersion: v + 1,
      inSync: true,
    });
    // The hub does not run it itself, and a restart republishes the same version.
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(scheduleCommands()).toHaveLength(0);
    await rig.restart();
    expect(JSON.parse(pushes().at(-1)?.payload ?? '{}').version).toBe(v + 1);
  });

  it('logs device-run reports once per occurrence, and records misses with their reason', async () => {
    await rig.scheduler.service.create({
      id: 'breakfast',
      deviceId: feeder,
      command: { capability: 'feed' },
      cron: '0 7 * * *',
    });
    const ran: string[] = [];
    rig.ctx.bus.on('schedule.ran', 'test', (e) => {
      ran.push(`${e.occurrence}/${e.by}`);
    });
    const event = {
      type: 'schedule-ran' as const,
      ts: Date.now(),
      scheduleId: 'breakfast',
      occurrence: 'breakfast@2025-01-10T07:00:00.000Z',
      ok: true,
      late: 12,
    };
    rig.ctx.bus.emit('device.event', { deviceId: feeder, event });
    rig.ctx.bus.emit('device.event', { deviceId: feeder, event });
    rig.ctx.bus.emit('device.event', {
      deviceId: feeder,
      event: {
        ...event,
        occurrence: 'breakfast@2025-01-09T07:00:00.000Z',
        ok: false,
        error: { code: 'expired', message: 'missed: skip-policy' },
      },
    });
    // Another device cannot write into this schedule's log.
    rig.ctx.bus.emit('device.event', {
      deviceId: lamp,
      event: { ...event, occurrence: 'breakfast@2025-01-08T07:00:00.000Z' },
    });
    expect(runs('breakfast').map((r) => [r.occurrence, r.status, r.by, r.reason])).toEqual([
      ['breakfast@2025-01-09T07:00:00.000Z', 'missed', 'device', 'missed: skip-policy'],
      ['breakfast@2025-01-10T07:00:00.000Z', 'ok', 'device', null],
    ]);
    expect(ran).toEqual([
      'breakfast@2025-01-10T07:00:00.000Z/device',
      'breakfast@2025-01-09T07:00:00.000Z/device',
    ]);
  });

  it('refuses bad input with its code and changes nothing', async () => {
    const svc = rig.scheduler.service;
    await svc.create(light(lamp, { id: 'keep' }));
    const before = JSON.stringify(svc.list());
    expect(await codeOf(svc.create(light(lamp, { cron: '0 25 * * *' })))).toBe('invalid_cron');
    expect(await codeOf(svc.create(light(lamp, { tz: 'Europe/Atlantis' })))).toBe('unknown_time_zone');
    expect(await codeOf(svc.create(light(lamp, { command: { capability: 'feed' } })))).toBe('unsupported');
    expect(await codeOf(svc.create(light(lamp, { command: { capability: 'warp' } })))).toBe(
      'unknown_capability',
    );
    expect(await codeOf(svc.create(light(lamp, { command: { capability: 'brightness', value: 300 } })))).toBe(
      'out_of_range',
    );
    expect(await codeOf(svc.create(light('nobody-here')))).toBe('unknown_device');
    expect(await codeOf(svc.create(light(lamp, { at: Date.now() + 1000 })))).toBe('invalid_payload');
    expect(
      await codeOf(svc.create(light(lamp, { cron: undefined, sun: { event: 'sunset', offsetMinutes: 0 } }))),
    ).toBe('unsupported');
    expect(await codeOf(svc.create(light(lamp, { id: 'keep' })))).toBe('conflict');
    expect(await codeOf(svc.update('keep', { cron: 'nonsense' }))).toBe('invalid_cron');
    expect(await codeOf(svc.update('missing', { enabled: false }))).toBe('not_found');
    expect(JSON.stringify(svc.list())).toBe(before);
  });

  it('deletes the schedules of a removed device; the device id is then refused', async () => {
    await rig.scheduler.service.create(light(lamp, { id: 'evening' }));
    await rig.registry.remove(lamp);
    await vi.advanceTimersByTimeAsync(10);
    expect(rig.scheduler.service.list()).toEqual([]);
    expect(await codeOf(rig.scheduler.service.create(light(lamp)))).toBe('unknown_device');
    await vi.advanceTimersByTimeAsync(2 * 3600_000);
    expect(scheduleCommands()).toHaveLength(0);
  });

  it('publishes hub time retained, every minute', async () => {
    const times = () => rig.published.filter((p) => p.topic === 'hearth/hub/time');
    const n = times().length;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(times()[0]?.retain).toBe(true);
    await vi.advanceTimersByTimeAsync(180_000);
    expect(times().length - n).toBe(3);
    expect(JSON.parse(times().at(-1)?.payload ?? '{}')).toEqual({ now: Date.now(), tz: 'Europe/London' });
  });
});
