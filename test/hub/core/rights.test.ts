import { describe, expect, it } from 'vitest';
import { can, normalizeGrants, parseGrant } from '../../../hub/core/rights.js';

describe('rights', () => {
  it('parses grants in their string form and refuses malformed ones', () => {
    expect(parseGrant('feeder-1:feed')).toEqual({ deviceId: 'feeder-1', capabilities: ['feed'] });
    expect(parseGrant('tv-1:*')).toEqual({ deviceId: 'tv-1', capabilities: ['*'] });
    expect(parseGrant('tv-1:power,channel')).toEqual({
      deviceId: 'tv-1',
      capabilities: ['channel', 'power'],
    });
    for (const bad of ['tv-1', 'TV:power', 'tv-1:', 'tv-1:power,', ':power', 'tv-1:*,power'])
      expect(() => parseGrant(bad), bad).toThrow(/grant/);
  });

  it('merges grants per device and keeps them for guests only', () => {
    expect(normalizeGrants('guest', ['tv-1:power', 'feeder-1:feed', 'tv-1:channel'])).toEqual([
      'feeder-1:feed',
      'tv-1:channel,power',
    ]);
    expect(normalizeGrants('guest', ['tv-1:power', 'tv-1:*'])).toEqual(['tv-1:*']);
    expect(() => normalizeGrants('member', ['tv-1:*'])).toThrow(/only for guests/);
    expect(normalizeGrants('admin', [])).toEqual([]);
  });

  it('admin has every right; member no people, hub or removal; guest only its grants', () => {
    const admin = { role: 'admin' as const, grants: [] };
    const member = { role: 'member' as const, grants: [] };
    const guest = { role: 'guest' as const, grants: ['feeder-1:feed', 'tv-1:*'] };
    expect(can(admin, 'people.manage')).toBe(true);
    expect(can(member, 'devices.command', { deviceId: 'x', capability: 'power' })).toBe(true);
    for (const r of ['people.manage', 'hub.manage', 'devices.remove', 'devices.firmware'] as const)
      expect(can(member, r), r).toBe(false);
    expect(can(guest, 'devices.command', { deviceId: 'feeder-1', capability: 'feed' })).toBe(true);
    expect(can(guest, 'devices.command', { deviceId: 'feeder-1', capability: 'hopper' })).toBe(false);
    expect(can(guest, 'devices.command', { deviceId: 'tv-1', capability: 'power' })).toBe(true);
    expect(can(guest, 'devices.command', { deviceId: 'plug-1', capability: 'power' })).toBe(false);
    expect(can(guest, 'devices.read', { deviceId: 'feeder-1' })).toBe(true);
    expect(can(guest, 'devices.read', { deviceId: 'plug-1' })).toBe(false);
    expect(can(guest, 'schedules.read')).toBe(false);
    expect(can(guest, 'devices.edit', { deviceId: 'tv-1' })).toBe(false);
  });
});
