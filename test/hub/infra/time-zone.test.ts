import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../hub/infra/config.js';
import { systemTimeZone } from '../../../hub/infra/time-zone.js';
import { assertTimeZone } from '../../../shared/schedule-engine.js';

const intl = (tz: string) => new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;

describe("the hub's default time zone (config timeZone)", () => {
  it('is the zone TZ names, with or without the leading colon, and UTC by its one name', () => {
    expect(systemTimeZone({ TZ: 'Europe/Berlin' })).toBe('Europe/Berlin');
    expect(systemTimeZone({ TZ: ':America/New_York' })).toBe('America/New_York');
    expect(systemTimeZone({ TZ: 'Etc/UTC' })).toBe('UTC');
  });

  it('leaves a TZ that is a rule rather than a zone to Intl, as before', () => {
    const rule = 'CET-1CEST';
    const previous = process.env.TZ;
    process.env.TZ = rule;
    try {
      expect(systemTimeZone({ TZ: rule })).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it("is the machine's zone when TZ is unset, one the schedules accept, and the config's default", () => {
    const zone = systemTimeZone({});
    expect(intl(zone)).toBe(intl(Intl.DateTimeFormat().resolvedOptions().timeZone));
    expect(() => assertTimeZone(zone)).not.toThrow();
    expect(loadConfig({ flags: { dataDir: '/tmp/hearth-tz-test' }, env: {} }).timeZone).toBe(
      systemTimeZone(),
    );
  });
});
