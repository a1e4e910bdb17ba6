// Schedules in words: "Every day at 22:49", "Weekdays at 07:30", "30 min before sunset", "Feed 1
// portion", "Turn on". Cron the app did not write itself is shown as it is, labelled.
import { whenText } from './commands.js';
import type { Device, Schedule } from './types.js';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const DAY_SETS = { daily: '*', weekdays: '1-5', weekends: '0,6' } as const;
export type DaySet = keyof typeof DAY_SETS;

/** "HH:MM" and the day set of a cron the editor can show, else null. */
export function parseCron(cron: string): { time: string; days: string } | null {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5) return null;
  const [m = '', h = '', dom, month, dow = ''] = f;
  if (!/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(h) || dom !== '*' || month !== '*') return null;
  if (Number(m) > 59 || Number(h) > 23 || !/^(\*|[0-7](-[0-7])?(,[0-7](-[0-7])?)*)$/.test(dow)) return null;
  return { time: `${h.padStart(2, '0')}:${m.padStart(2, '0')}`, days: dow };
}

function daysText(dow: string): string {
  if (dow === '*') return 'Every day';
  if (dow === '1-5') return 'Weekdays';
  if (dow === '0,6' || dow === '6,0') return 'Weekends';
  const days = dow.split(',').flatMap((part) => {
    const [a = 0, b = a] = part.split('-').map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => DAY_NAMES[(a + i) % 7]);
  });
  return `Every ${days.join(', ')}`;
}

export function timingText(s: Pick<Schedule, 'cron' | 'at' | 'sun'>): string {
  if (s.sun) {
    const { event, offsetMinutes: o } = s.sun;
    if (o === 0) return `At ${event}`;
    return `${Math.abs(o)} min ${o < 0 ? 'before' : 'after'} ${event}`;
  }
  if (s.at !== null) return `Once, ${whenText(s.at)}`;
  if (s.cron) {
    const c = parseCron(s.cron);
    return c ? `${daysText(c.days)} at ${c.time}` : `Cron “${s.cron}”`;
  }
  return 'No time set';
}

export function commandText(command: Schedule['command'], device: Device | undefined): string {
  const d = device?.capabilities.find((c) => c.name === command.capability);
  const label = d?.label ?? command.capability;
  if (command.params) {
    const portions = command.params.portions;
    if (portions !== undefined) return `${label} ${portions} portion${portions === 1 ? '' : 's'}`;
    return `${label} (${Object.entries(command.params)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`;
  }
  if (command.capability === 'power') return command.value ? 'Turn on' : 'Turn off';
  if (typeof command.value === 'boolean') return `${label} ${command.value ? 'on' : 'off'}`;
  return `Set ${label.toLowerCase()} to ${String(command.value)}${d?.unit ? ` ${d.unit}` : ''}`;
}
