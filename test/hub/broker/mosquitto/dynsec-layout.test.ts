// How Hearth lays its devices out in mosquitto's dynamic security, on a real mosquitto: a device
// holds its own role (its 8 topics) and the one shared `hearth-devices` role, checked after it. A
// mosquitto still holding the earlier layout (one 17-ACL role per device, with the hub's topics and
// the deny-all in it) is brought to this one at the hub's start, and the device keeps exactly its
// rights: its own topics, the hub's, nothing of another device's.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynsecClient, type DynsecClient } from '../../../../hub/broker/mosquitto/dynsec-client.js';
import {
  DEVICES_ROLE,
  deviceRole,
  deviceRoleName,
  devicesRole,
  OWN_ROLE_PRIORITY,
  SHARED_ROLE_PRIORITY,
} from '../../../../hub/broker/mosquitto/dynsec-roles.js';
import { startTestHub } from '../../../support/hub.js';
import { startTestMosquitto, type TestMosquitto } from '../../../support/mosquitto.js';

interface ClientData {
  roles: Array<{ rolename: string; priority?: number }>;
}

describe('dynamic-security layout of devices (mosquitto)', () => {
  let m: TestMosquitto;
  let admin: mqtt.MqttClient | undefined;
  let dynsec: DynsecClient;
  beforeAll(async () => {
    m = await startTestMosquitto();
  });
  afterAll(async () => {
    await admin?.endAsync();
    await m.stop();
  });
  /** The test's own admin connection, opened once the first hub has given the admin its role (which ends the admin's sessions). */
  const openAdmin = async () => {
    admin = await mqtt.connectAsync(m.url, { ...m.admin, reconnectPeriod: 0 });
    dynsec = createDynsecClient(admin);
    await dynsec.attach();
  };
  /** The data of one dynamic-security answer. */
  const ask = async <T>(command: Record<string, unknown> & { command: string }): Promise<T> => {
    const [answer] = await dynsec.expectOk([command]);
    return answer?.data as T;
  };
  const clientRoles = async (username: string) =>
    (await ask<{ client: ClientData }>({ command: 'getClient', username })).client.roles;
  const roleTopics = async (rolename: string) =>
    (
      await ask<{ role: { acls: Array<{ acltype: string; topic: string }> } }>({
        command: 'getRole',
        rolename,
      })
    ).role.acls.map((a) => `${a.acltype} ${a.topic}`);

  it('a device of the one-role layout is moved to its own role plus the shared one, with the same rights', async () => {
    const first = await startTestHub({ broker: 'mosquitto', mosquitto: m });
    const a = await first.connectDevice('light');
    const b = await first.connectDevice('light');
    await Promise.all([a.client.endAsync(), b.client.endAsync()]);
    await openAdmin();
    const layout = [
      { rolename: deviceRoleName(a.id), priority: OWN_ROLE_PRIORITY },
      { rolename: DEVICES_ROLE, priority: SHARED_ROLE_PRIORITY },
    ];
    expect(await clientRoles(a.id)).toEqual(layout);
    expect(await roleTopics(deviceRoleName(a.id))).toHaveLength(8);
    await first.stop();

    // Back to the earlier layout: the shared ACLs in the device's own role, held at no priority.
    const old = deviceRoleName(a.id);
    await dynsec.expectOk([
      ...devicesRole().acls.map((acl) => ({ command: 'addRoleACL', rolename: old, ...acl })),
      { command: 'removeClientRole', username: a.id, rolename: DEVICES_ROLE },
      { command: 'removeClientRole', username: a.id, rolename: old },
      { command: 'addClientRole', username: a.id, rolename: old },
    ]);
    expect(await roleTopics(old)).toHaveLength(8 + devicesRole().acls.length);

    const second = await startTestHub({ broker: 'mosquitto', mosquitto: m, dataDir: first.dataDir });
    try {
      expect(await clientRoles(a.id)).toEqual(layout);
      expect((await roleTopics(old)).sort()).toEqual(
        deviceRole(a.id)
          .acls.map((x) => `${x.acltype} ${x.topic}`)
          .sort(),
      );
      const c = await second.connectDeviceAs(a.id, a.secret);
      const granted = (filter: string) =>
        c.subscribeAsync(filter).then(
          (g) => g[0]?.qos,
          (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0],
        );
      expect(await granted(`hearth/dev/${a.id}/cmd`)).toBe(0);
      expect(await granted('hearth/hub/status')).toBe(0);
      expect(await granted(`hearth/dev/${b.id}/cmd`)).toBe(128);
      expect(await granted(`hearth/dev/${a.id}/state`)).toBe(128);
      // Its own report reaches the hub; it receives what it subscribed to.
      const got = new Promise<string>((r) => c.on('message', (_t, p) => r(p.toString())));
      await second.hub.context.messaging.publish(`hearth/dev/${a.id}/cmd`, 'to-a', { qos: 1 });
      expect(await got).toBe('to-a');
    } finally {
      await second.cleanup();
    }
  });
});
