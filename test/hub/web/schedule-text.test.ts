// Schedules in words, and wall-clock times in a zone (the one-off editor).
import { describe, expect, it } from 'vitest';
import { commandText, timingText } from '../../../hub/web/app/schedule-text.js';
import { instantToWallTime, wallTimeToInstant } from '../../../hub/web/app/zones.js';

const t = (cron: string) => timingText({ cron, at: null, sun: null });

describe('schedule text', () => {
  it('says cron in words, and shows cron it cannot say as cron', () => {
    expect(t('49 22 * * *')).toBe('Every day at 22:49');
    expect(t('0 7 * * 1-5')).toBe('Weekdays at 07:00');
    expect(t('30 9 * * 0,6')).toBe('Weekends at 09:30');
    expect(t('5 8 * * 1,3')).toBe('Every Mon, Wed at 08:05');
    expect(t('*/5 * * * *')).toBe('Cron “*/5 * * * *”');
    expect(timingText({ cron: null, at: null, sun: { event: 'sunset', offsetMinutes: -30 } })).toBe(
      '30 min before sunset',
    );
    expect(timingText({ cron: null, at: null, sun: { event: 'sunrise', offsetMinutes: 0 } })).toBe(
      'At sunrise',
    );
  });

  it('says commands in words', () => {
    expect(commandText({ capability: 'feed', params: { portions: 1 } }, undefined)).toBe('feed 1 portion');
    expect(commandText({ capability: 'power', value: true }, undefined)).toBe('Turn on');
    expect(commandText({ capability: 'power', value: false }, undefined)).toBe('Turn off');
  });

  it('turns a wall-clock time in a zone into the instant, across a DST change', () => {
    expect(wallTimeToInstant('2026-07-01T09:00', 'Europe/London')).toBe(Date.UTC(2026, 6, 1, 8, 0));
    expect(wallTimeToInstant('2026-12-01T09:00', 'Europe/London')).toBe(Date.UTC(2026, 11, 1, 9, 0));
    expect(wallTimeToInstant('2026-03-29T12:00', 'America/New_York')).toBe(Date.UTC(2026, 2, 29, 16, 0));
    expect(instantToWallTime(Date.UTC(2026, 6, 1, 8, 0), 'Europe/London')).toBe('2026-07-01T09:00');
  });
});
