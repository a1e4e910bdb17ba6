// The device's idea of wall-clock time. A device with a clock of its own (`system`: a simulated
// device on a host with NTP) uses it; one without (`hub`: an ESP32 with no RTC and no internet)
// counts from the last `hearth/hub/time` it heard, on a monotonic timer, and is unset until then.

export type ClockSource = 'system' | 'hub';

export interface DeviceClock {
  readonly source: ClockSource;
  /** True once the device knows the time (always, for a system clock). */
  readonly synced: boolean;
  /** Epoch ms. Before a hub clock is synced, the system's time (callers check `synced` first). */
  now(): number;
  /** A `hearth/hub/time` message arrived. */
  observeHubTime(hubNow: number): void;
}

export interface ClockDeps {
  source?: ClockSource;
  /** Injected for tests (fake timers drive both). */
  wallNow?: () => number;
  monotonicNow?: () => number;
}

export function createDeviceClock({
  source = 'system',
  wallNow = Date.now,
  monotonicNow = () => performance.now(),
}: ClockDeps = {}): DeviceClock {
  /** hub time minus monotonic time at the last observation. */
  let offset: number | null = null;
  return {
    source,
    get synced() {
      return source === 'system' || offset !== null;
    },
    now() {
      if (source === 'system' || offset === null) return Math.round(wallNow());
      return Math.round(monotonicNow() + offset);
    },
    observeHubTime(hubNow) {
      offset = hubNow - monotonicNow();
    },
  };
}
