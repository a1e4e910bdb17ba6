// Hearth's own devices announced to Home Assistant: a TV and a feeder appear as retained discovery
// configs (read with mosquitto_sub as the HA integration user), a command Home Assistant publishes
// on a Hearth command topic (mosquitto_pub) reaches the device once through the command path, and
// removing a device clears its configs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedDevice, scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { type MqttLogin, mosquittoPub, mosquittoSub } from '../../support/mosquitto-foreign.js';
import { waitFor } from '../../support/wait.js';

describe('Home Assistant discovery for Hearth devices', () => {
  let t: TestHub;
  let ha: MqttLogin;
  let tv: { id: string; device: ScriptedDevice };
  let feeder: { id: string; device: ScriptedDevice };

  beforeAll(async () => {
    t = await startTestHub();
    const res = await t.api('/api/v1/mqtt-users', {
      method: 'POST',
      json: {
        name: 'ha',
        sub: ['homeassistant/#', 'hearth/dev/+/state', 'hearth/dev/+/status'],
        pub: ['hearth/ha/#', 'homeassistant/status'],
      },
    });
    ha = {
      port: t.hub.ports.mqtt,
      user: 'ha',
      password: ((await res.json()) as { password: string }).password,
    };
    const a = await t.connectDevice('tv');
    tv = { id: a.id, device: await scriptDevice(a.id, a.client) };
    await tv.device.announce();
    const b = await t.connectDevice('feeder');
    feeder = {
      id: b.id,
      device: await scriptDevice(b.id, b.client, [
        { name: 'feed' },
        { name: 'hopper' },
        { name: 'schedules' },
      ]),
    };
    await feeder.device.announce({ hopper: 80 });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('announces the TV and the feeder, and a command on the HA topic reaches the device once', async () => {
    const watch = await mosquittoSub(ha, 'homeassistant/#');
    const configs = new Map<string, Record<string, unknown>>();
    const expected = [
      `homeassistant/switch/hearth_${tv.id}/power/config`,
      `homeassistant/number/hearth_${tv.id}/channel/config`,
      `homeassistant/number/hearth_${tv.id}/volume/config`,
      `homeassistant/switch/hearth_${tv.id}/mute/config`,
      `homeassistant/select/hearth_${tv.id}/input/config`,
      `homeassistant/button/hearth_${feeder.id}/feed/config`,
      `homeassistant/sensor/hearth_${feeder.id}/hopper/config`,
    ];
    await waitFor(
      async () => {
        while (configs.size < expected.length) {
          const line = await watch.next();
          const space = line.indexOf(' ');
          if (!line.slice(0, space).endsWith('/config')) continue; // homeassistant/status, the hub's birth
          configs.set(line.slice(0, space), JSON.parse(line.slice(space + 1)) as Record<string, unknown>);
        }
        return true;
      },
      { what: 'the discovery configs' },
    );
    expect([...configs.keys()].sort()).toEqual([...expected].sort());
    expect(configs.get(expected[0] as string)).toMatchObject({
      command_topic: `hearth/ha/${tv.id}/power/set`,
      state_topic: `hearth/dev/${tv.id}/state`,
      availability_topic: `hearth/dev/${tv.id}/status`,
      unique_id: `hearth_${tv.id}_power`,
      device: { identifiers: [`hearth_${tv.id}`], manufacturer: 'Hearth', model: 'tv' },
    });
    expect(configs.get(expected[2] as string)).toMatchObject({ min: 0, max: 100, unit_of_measurement: '%' });

    await mosquittoPub(ha, `hearth/ha/${tv.id}/power/set`, 'ON');
    await waitFor(() => tv.device.commands.length > 0, { what: 'the command at the TV' });
    await mosquittoPub(ha, `hearth/ha/${tv.id}/volume/set`, '25');
    await waitFor(() => tv.device.commands.length > 1, { what: 'the second command' });
    expect(tv.device.commands.map((c) => [c.capability, c.value])).toEqual([
      ['power', true],
      ['volume', 25],
    ]);
    await mosquittoPub(ha, `hearth/ha/${feeder.id}/feed/set`, 'PRESS');
    await waitFor(() => feeder.device.commands.length > 0, { what: 'the feed at the feeder' });
    expect(feeder.device.commands[0]).toMatchObject({ capability: 'feed', params: { portions: 1 } });
    // Both settled through the command path: recorded once, done, never sent twice.
    await waitFor(async () => {
      const res = await t.api(`/api/v1/devices/${tv.id}/commands`);
      const list = ((await res.json()) as { commands: Array<{ status: string; source: string }> }).commands;
      return list.length === 2 && list.every((c) => c.status === 'done' && c.source === 'mqtt:local');
    });
    expect(tv.device.commands).toHaveLength(2);
    expect(feeder.device.commands).toHaveLength(1);

    // A bad payload changes nothing.
    await mosquittoPub(ha, `hearth/ha/${tv.id}/volume/set`, 'loud');
    await mosquittoPub(ha, `hearth/ha/${tv.id}/channel/set`, '3');
    await waitFor(() => tv.device.commands.length > 2, { what: 'the channel command' });
    expect(tv.device.commands.map((c) => c.capability)).toEqual(['power', 'volume', 'channel']);

    expect((await t.api(`/api/v1/devices/${tv.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await waitFor(
      async () => {
        const line = await watch.next();
        return line === `homeassistant/switch/hearth_${tv.id}/power/config (null)` ||
          line === `homeassistant/switch/hearth_${tv.id}/power/config `
          ? true
          : undefined;
      },
      { what: 'the TV config cleared' },
    );
    watch.stop();
  });
});
