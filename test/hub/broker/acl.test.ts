import { describe, expect, it } from 'vitest';
import { canPublish, canSubscribe, type Identity } from '../../../hub/broker/acl.js';

const tv: Identity = { kind: 'device', deviceId: 'tv-1' };
const user: Identity = { kind: 'user', tokenId: 't', role: 'admin', grants: [] };
const claim: Identity = { kind: 'claim', claimId: 'abcd1234' };

describe('ACL', () => {
  it('a device publishes only its own info/status/state/ack/event', () => {
    for (const ch of ['info', 'status', 'state', 'ack', 'event'])
      expect(canPublish(tv, `hearth/dev/tv-1/${ch}`)).toBe(true);
    for (const ch of ['cmd', 'schedules', 'ota']) expect(canPublish(tv, `hearth/dev/tv-1/${ch}`)).toBe(false);
    expect(canPublish(tv, 'hearth/dev/tv-2/state')).toBe(false);
    expect(canPublish(tv, 'hearth/hub/status')).toBe(false);
    expect(canPublish(tv, 'homeassistant/switch/x/config')).toBe(false);
    expect(canPublish(tv, 'hearth/dev/tv-1/state/extra')).toBe(false);
  });

  it('a device subscribes only to its own cmd/schedules/ota and hearth/hub/#', () => {
    for (const ch of ['cmd', 'schedules', 'ota'])
      expect(canSubscribe(tv, `hearth/dev/tv-1/${ch}`)).toBe(true);
    expect(canSubscribe(tv, 'hearth/hub/#')).toBe(true);
    for (const f of [
      'hearth/dev/tv-2/cmd',
      'hearth/dev/+/cmd',
      'hearth/#',
      '#',
      'hearth/dev/tv-1/#',
      'hearth/dev/tv-1/state',
      '+/dev/tv-1/cmd',
    ]) {
      expect(canSubscribe(tv, f), f).toBe(false);
    }
  });

  it('an integration token reads device reports but never commands, and publishes nothing', () => {
    expect(canSubscribe(user, 'hearth/dev/+/state')).toBe(true);
    expect(canSubscribe(user, 'hearth/dev/tv-1/event')).toBe(true);
    for (const f of [
      'hearth/dev/+/cmd',
      'hearth/dev/#',
      'hearth/#',
      'hearth/dev/+/+',
      'hearth/provision/+/credentials',
    ]) {
      expect(canSubscribe(user, f), f).toBe(false);
    }
    expect(canPublish(user, 'hearth/dev/tv-1/cmd')).toBe(false);
  });

  it('an unadopted factory device may only announce and prove itself, and read its challenge and credentials', () => {
    expect(canPublish(claim, 'hearth/provision/abcd1234/announce')).toBe(true);
    expect(canPublish(claim, 'hearth/provision/abcd1234/proof')).toBe(true);
    expect(canPublish(claim, 'hearth/provision/zzzz9999/proof')).toBe(false);
    expect(canPublish(claim, 'hearth/provision/abcd1234/challenge')).toBe(false);
    expect(canSubscribe(claim, 'hearth/provision/abcd1234/challenge')).toBe(true);
    expect(canSubscribe(claim, 'hearth/provision/abcd1234/proof')).toBe(false);
    expect(canSubscribe(claim, 'hearth/provision/+/challenge')).toBe(false);
    expect(canPublish(claim, 'hearth/provision/zzzz9999/announce')).toBe(false);
    expect(canPublish(claim, 'hearth/provision/abcd1234/credentials')).toBe(false);
    expect(canPublish(claim, 'hearth/dev/tv-1/state')).toBe(false);
    expect(canSubscribe(claim, 'hearth/provision/abcd1234/credentials')).toBe(true);
    expect(canSubscribe(claim, 'hearth/provision/+/credentials')).toBe(false);
    expect(canSubscribe(claim, 'hearth/dev/+/state')).toBe(false);
  });
});
