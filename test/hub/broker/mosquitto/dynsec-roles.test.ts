// The pure parts of mosquitto mode: the config it needs, and the ACL diff reconcile applies.
import { describe, expect, it } from 'vitest';
import { aclChanges } from '../../../../hub/broker/mosquitto/dynsec-commands.js';
import { deviceRole, tokenRole } from '../../../../hub/broker/mosquitto/dynsec-roles.js';
import { ConfigError, loadConfig } from '../../../../hub/infra/config.js';

describe('mosquitto mode', () => {
  it('needs the dynamic-security admin, and takes the mode and URL from flags', () => {
    expect(() =>
      loadConfig({ flags: { dataDir: '/tmp/x', broker: { mode: 'mosquitto' } }, env: {} }),
    ).toThrow(ConfigError);
    const c = loadConfig({
      flags: { dataDir: '/tmp/x', broker: { mode: 'mosquitto', url: 'mqtt://10.0.0.2:1883' } },
      env: { HEARTH_BROKER__USERNAME: 'admin', HEARTH_BROKER__PASSWORD: 'pw' },
    });
    expect(c.broker).toMatchObject({ mode: 'mosquitto', url: 'mqtt://10.0.0.2:1883', username: 'admin' });
    expect(() => loadConfig({ flags: { dataDir: '/tmp/x', broker: { url: 'http://x' } }, env: {} })).toThrow(
      /broker.url/,
    );
  });

  it('a reconcile turns what mosquitto holds into exactly the role, and leaves an exact role alone', () => {
    const want = deviceRole('tv-1').acls;
    expect(aclChanges('r', want, want)).toEqual([]);
    const tampered = [
      ...want.slice(1),
      { acltype: 'publishClientSend' as const, topic: '#', priority: 99, allow: true },
    ];
    const fix = aclChanges('r', tampered, want);
    expect(fix).toEqual([
      { command: 'removeRoleACL', rolename: 'r', acltype: 'publishClientSend', topic: '#' },
      { command: 'addRoleACL', rolename: 'r', ...want[0] },
    ]);
  });

  it('a guest token role names only its granted devices; a member reads every device', () => {
    const guest = tokenRole({ id: 'a1', role: 'guest', grants: ['feeder-1:feed'] }).acls.map((a) => a.topic);
    expect(guest).toContain('hearth/dev/feeder-1/state');
    expect(guest.some((t) => t.includes('+'))).toBe(false);
    const member = tokenRole({ id: 'a2', role: 'member', grants: [] }).acls.map((a) => a.topic);
    expect(member).toContain('hearth/dev/+/state');
    expect(member).not.toContain('hearth/dev/+/cmd');
  });
});
