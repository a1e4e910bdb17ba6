// The machine's IANA time zone, found the way ICU itself looks on Linux (TZ, then where
// /etc/localtime links into zoneinfo, then /etc/timezone) without asking Intl: the first
// Intl.DateTimeFormat maps ~6 MB of ICU locale data into the process for good, which a hub with
// no time-zone schedules never needs. Intl answers only when none of those says.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';

/** `Area/Location`, `UTC`, `EST5EDT`: a zone name, not a POSIX rule or a file path. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
/** The names of UTC that Intl reports as `UTC`. */
const UTC_NAMES = new Set(['Etc/UTC', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'UCT', 'Universal', 'Zulu']);

const ZONEINFO = '/usr/share/zoneinfo';

/** The zone, when it is one the system's tz database has (else a rule or a typo: Intl decides). */
const named = (zone: string | undefined): string | undefined => {
  if (!zone || !ZONE_NAME.test(zone) || !existsSync(`${ZONEINFO}/${zone}`)) return undefined;
  return UTC_NAMES.has(zone) ? 'UTC' : zone;
};

function read<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

export function systemTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TZ !== undefined) {
    // TZ set to anything but a zone name (a rule, a path) is for Intl to interpret.
    return named(env.TZ.replace(/^:/, '')) ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
  const link = read(() => readlinkSync('/etc/localtime'));
  return (
    named(link ? /zoneinfo\/(?:posix\/|right\/)?(.+)$/.exec(link)?.[1] : undefined) ??
    named(read(() => readFileSync('/etc/timezone', 'utf8').trim())) ??
    Intl.DateTimeFormat().resolvedOptions().timeZone
  );
}
