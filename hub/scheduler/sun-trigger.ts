// Sunrise/sunset occurrences computed locally from the configured coordinates (suncalc; no
// internet). Only the hub runs these: devices know neither where they are nor suncalc.
import SunCalc from 'suncalc';
import { type OccurrenceSource, wallToInstant, zoneOffset } from '../../shared/schedule-engine.js';
import type { SunTrigger } from './schemas.js';

const DAY_MS = 86_400_000;

export interface Location {
  latitude: number;
  longitude: number;
}

export function sunSource(trigger: SunTrigger, tz: string, location: Location): OccurrenceSource {
  const onDay = (localMidnight: number): number | null => {
    const noon = wallToInstant(tz, localMidnight + DAY_MS / 2);
    const time = SunCalc.getTimes(new Date(noon), location.latitude, location.longitude)[trigger.event];
    const ms = time.getTime();
    // Polar day or night: no sunrise or sunset that day.
    if (!Number.isFinite(ms)) return null;
    return Math.round(ms / 1000) * 1000 + trigger.offsetMinutes * 60_000;
  };
  return {
    nextAfter(t) {
      const today = Math.floor((t + zoneOffset(tz, t)) / DAY_MS) * DAY_MS;
      for (let d = -1; d <= 400; d++) {
        const at = onDay(today + d * DAY_MS);
        if (at !== null && at > t) return at;
      }
      return null;
    },
  };
}
