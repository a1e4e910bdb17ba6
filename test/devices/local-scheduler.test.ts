// The device-side runner on fake timers and a fake clock: on-time runs, reboots that never run an
// occurrence twice, catch-up at boot, a clock that is not set yet, and misses while running.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalScheduler } from '../../devices/local-scheduler.js';
import type { LocalSchedulerHost } from '../../devices/runtime/hooks.js';
import type { Ack, DeviceEvent, DeviceSchedules } from '../../shared/payloads.js';

const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silent;
  },
} as unknown as LocalSchedulerHost['log'];

/** Stands in for the firmware runtime's command path: remembers occurrences like its flash does. */
function fakeHost(opts: { synced?: boolean } = {}) {
  const performed: string[] = [];
  const remembered = new Set<string>();
  const events: Array<Omit<Extract<DeviceEvent, { type: 'schedule-ran' }>, 'ts'>> = [];
  let synced = opts.synced ?? true;
  const host: LocalSchedulerHost = {
    deviceId: 'feeder-1',
    log: silent,
    clock: {
      source: 'system',
      get synced() {
        return synced;
      },
      now: () => Date.now(),
      observeHubTime() {},
    },
    async run(input): Promise<Ack> {
      const id = input.occurrence.replace(/[^A-Za-z0-9_-]/g, '');
      if (!remembered.has(input.occurrence)) {
        remembered.add(input.occurrence);
        performed.push(input.occurrence);
      }
      return { id, ok: true };
    },
    emit(event) {
      if (event.type === 'schedule-ran') events.push(event);
    },
  };
  return { host, performed, events, setSynced: (v: boolean) => (synced = v) };
}

const feedAt8 = (
  catchUp: DeviceSchedules['schedules'][number]['catchUp'] = { policy: 'skip' },
): DeviceSchedules => ({
  version: 1,
  schedules: [
    {
      id: 'breakfast',
      cron: '0 8 * * *',
      tz: 'Europe/London',
      enabled: true,
      catchUp,
      command: { capability: 'feed', params: { portions: 2 } },
    },
  ],
});

describe('local scheduler (device side)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs at the scheduled time through the command path and reports it', async () => {
    vi.setSystemTime(new Date('2025-01-10T07:59:50Z'));
    const h = fakeHost();
    const s = createLocalScheduler()(h.host);
    s.load(feedAt8());
    await vi.advanceTimersByTimeAsync(9_000);
    expect(h.performed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.performed).toEqual(['breakfast@2025-01-10T08:00:00.000Z']);
    expect(h.events).toEqual([
      {
        type: 'schedule-ran',
        scheduleId: 'breakfast',
        occurrence: 'breakfast@2025-01-10T08:00:00.000Z',
        ok: true,
        late: 0,
      },
    ]);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(h.performed).toHaveLength(2);
    s.stop();
  });

  it('a reboot right after a run never runs the occurrence again', async () => {
    vi.setSystemTime(new Date('2025-01-10T07:59:59Z'));
    const h = fakeHost();
    const first = createLocalScheduler()(h.host);
    first.load(feedAt8());
    await vi.advanceTimersByTimeAsync(1_000);
    first.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    const second = createLocalScheduler()(h.host); // the same flash: remembered command ids
    second.load(feedAt8());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.performed).toEqual(['breakfast@2025-01-10T08:00:00.000Z']);
    second.stop();
  });

  it('catches up once at boot within the window, and not beyond it', async () => {
    vi.setSystemTime(new Date('2025-01-10T08:20:00Z'));
    const h = fakeHost();
    const s = createLocalScheduler()(h.host);
    s.load(feedAt8({ policy: 'run-once-if-late', withinMinutes: 30 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(h.performed).toEqual(['breakfast@2025-01-10T08:00:00.000Z']);
    expect(h.events[0]).toMatchObject({ ok: true, late: 20 * 60_000 });
    s.stop();

    vi.setSystemTime(new Date('2025-01-11T08:20:00Z'));
    const skip = fakeHost();
    const s2 = createLocalScheduler()(skip.host);
    s2.load(feedAt8({ policy: 'skip' }));
    await vi.advanceTimersByTimeAsync(100);
    expect(skip.performed).toEqual([]);
    s2.stop();
  });

  it('waits for the clock before planning anything', async () => {
    vi.setSystemTime(new Date('2025-01-10T07:59:00Z'));
    const h = fakeHost({ synced: false });
    const s = createLocalScheduler()(h.host);
    s.load(feedAt8());
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.performed).toEqual([]);
    h.setSynced(true);
    await vi.advanceTimersByTimeAsync(1_000);
    // The clock is known from 08:01:01; looking back its grace minute does not reach 08:00.
    expect(h.performed).toEqual([]);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(h.performed).toEqual(['breakfast@2025-01-11T08:00:00.000Z']);
    s.stop();
  });

  it('reports occurrences it missed while running (the clock jumped) with the reason', async () => {
    vi.setSystemTime(new Date('2025-01-10T07:51:00Z'));
    const h = fakeHost();
    const s = createLocalScheduler({ maxSleepMs: 5_000 })(h.host);
    s.load({
      version: 2,
      schedules: [{ ...feedAt8().schedules[0], cron: '*/5 * * * *' } as DeviceSchedules['schedules'][number]],
    });
    await vi.advanceTimersByTimeAsync(1_000);
    vi.setSystemTime(new Date('2025-01-10T08:20:30Z')); // hub time set the clock forward
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.performed).toEqual(['breakfast@2025-01-10T08:20:00.000Z']);
    const missed = h.events.filter((e) => !e.ok);
    expect(missed.map((e) => e.occurrence)).toEqual([
      'breakfast@2025-01-10T07:55:00.000Z',
      'breakfast@2025-01-10T08:00:00.000Z',
      'breakfast@2025-01-10T08:05:00.000Z',
      'breakfast@2025-01-10T08:10:00.000Z',
      'breakfast@2025-01-10T08:15:00.000Z',
    ]);
    expect(missed[0]?.error).toEqual({ code: 'expired', message: 'missed: skip-policy' });
    s.stop();
  });
});
