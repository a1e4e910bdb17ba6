// Time zones for the schedule editor: the browser's list of IANA zones, and wall-clock time in a
// given zone turned into an instant (for a one-off "at 09:00 in Europe/London").
export function timeZones(current: string): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  const list = supported ? supported('timeZone') : [];
  return [...new Set([current, 'UTC', ...list])].sort();
}

/** The zone's offset from UTC at `at`, in ms. */
function offsetAt(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - at;
}

/** "2026-12-03T09:00" as a wall-clock time in `zone` → epoch ms. */
export function wallTimeToInstant(local: string, zone: string): number {
  const [date = '', time = '00:00'] = local.split('T');
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0] = time.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = guess - offsetAt(guess, zone);
  return guess - offsetAt(first, zone);
}

/** epoch ms → "2026-12-03T09:00" on the wall clock of `zone` (for an editor's datetime-local). */
export function instantToWallTime(at: number, zone: string): string {
  return new Date(at + offsetAt(at, zone)).toISOString().slice(0, 16);
}
