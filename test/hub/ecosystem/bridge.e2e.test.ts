// A bridge to the home's own mosquitto (started by the test on a loopback port with its own config
// and password file): a Tasmota plug announced there appears in Hearth and obeys; Hearth's TV is
// announced there with its state. The broker is then stopped — the plug goes offline, the LAN
// keeps working — and restarted: the plug is back, a command queued meanwhile is delivered, and
// Hearth's configs and state are published there again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedDevice, scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { createHomeBroker, type HomeBroker } from '../../support/mosquitto-broker.js';
import { loadFixture, type MqttLogin, mosquittoPub, mosquittoSub } from '../../support/mosquitto-foreign.js';
import { waitFor } from '../../support/wait.js';

interface Msg {
  topic: string;
  payload: string;
}
interface Fixture {
  configs: Array<{ topic: string; payload: object }>;
  online: Msg;
  states: Msg[];
}
interface Device {
  id: string;
  name: string;
  online: boolean;
  reported: Record<string, unknown>;
}

describe('a bridge to an existing mosquitto', () => {
  let home: HomeBroker;
  let t: TestHub;
  let plugLogin: MqttLogin;
  let haLogin: MqttLogin;
  let tv: { id: string; device: ScriptedDevice };
  const f = loadFixture<Fixture>('tasmota-plug.json');

  beforeAll(async () => {
    home = await createHomeBroker({ hearth: 'hearth-pw', tasmota: 'tasmota-pw', ha: 'ha-pw' });
    plugLogin = { port: home.port, user: 'tasmota', password: 'tasmota-pw' };
    haLogin = { port: home.port, user: 'ha', password: 'ha-pw' };
    t = await startTestHub({
      config: {
        bridges: [
          { name: 'home', url: home.url, username: 'hearth', password: 'hearth-pw', reconnectMs: 200 },
        ],
      },
    });
    const a = await t.connectDevice('tv');
    tv = { id: a.id, device: await scriptDevice(a.id, a.client) };
    await tv.device.announce();
  });
  afterAll(async () => {
    await t?.cleanup();
    await home?.cleanup();
  });

  const plug = async () =>
    ((await (await t.api('/api/v1/devices')).json()) as { devices: Device[] }).devices.find(
      (d) => d.name === 'Kettle plug',
    );
  const command = (id: string, capability: string, value: unknown) =>
    t.api(`/api/v1/devices/${id}/commands`, { method: 'POST', json: { capability, value, ttlMs: 60_000 } });

  it('consumes the plug there and announces the TV there; survives the broker stopping and returning', async () => {
    for (const c of f.configs) await mosquittoPub(plugLogin, c.topic, c.payload, { retain: true });
    await mosquittoPub(plugLogin, f.online.topic, f.online.payload, { retain: true });
    for (const s of f.states) await mosquittoPub(plugLogin, s.topic, s.payload, { retain: true });
    const found = await waitFor(
      async () => {
        const d = await plug();
        return d?.online && d.reported.wattage === 1850 ? d : undefined;
      },
      { what: 'the bridged plug in Hearth' },
    );
    const cmnd = await mosquittoSub(plugLogin, 'tasmota_A1B2C3/cmnd/POWER');
    expect((await command(found.id, 'power', false)).status).toBeLessThan(300);
    expect(await cmnd.next()).toBe('OFF');

    const tvConfig = await mosquittoSub(haLogin, `homeassistant/switch/hearth_${tv.id}/power/config`);
    expect(JSON.parse(await tvConfig.next())).toMatchObject({
      command_topic: `hearth/ha/${tv.id}/power/set`,
    });
    tvConfig.stop();
    const tvState = await mosquittoSub(haLogin, `hearth/dev/${tv.id}/state`);
    expect(JSON.parse(await tvState.next())).toMatchObject({ values: { power: false } });
    tvState.stop();
    // Home Assistant on that broker switches the TV on through Hearth.
    await mosquittoPub(haLogin, `hearth/ha/${tv.id}/power/set`, 'ON');
    await waitFor(() => tv.device.commands.length === 1, { what: 'the TV command from the bridge' });
    cmnd.stop();

    await home.stop();
    await waitFor(async () => (await plug())?.online === false, { what: 'the plug offline with its broker' });
    expect((await (await t.api('/api/v1/health')).json()) as object).toMatchObject({
      components: { 'bridge:home': { ok: false } },
    });
    // The LAN carries on: the TV obeys at once.
    const local = await command(tv.id, 'volume', 30);
    expect(((await local.json()) as { status: string }).status).toBe('done');
    // A command for the plug waits for it.
    const queued = (await (await command(found.id, 'power', true)).json()) as { id: string; status: string };
    expect(queued.status).toBe('pending');

    await home.start();
    const back = await mosquittoSub(plugLogin, 'tasmota_A1B2C3/cmnd/POWER');
    expect(await back.next()).toBe('ON');
    back.stop();
    await waitFor(async () => (await plug())?.online, { what: 'the plug back online' });
    await waitFor(
      async () => {
        const res = await t.api(`/api/v1/devices/${found.id}/commands`);
        const list = ((await res.json()) as { commands: Array<{ id: string; status: string }> }).commands;
        return list.find((c) => c.id === queued.id)?.status === 'done';
      },
      { what: 'the queued command done' },
    );
    // The broker kept the state retained before it stopped (volume 10); Hearth then publishes the
    // newer one there. Read until it comes (a wait on an event, not a sleep).
    const again = await mosquittoSub(haLogin, `hearth/dev/${tv.id}/state`);
    let latest = JSON.parse(await again.next()) as { values: Record<string, unknown> };
    while (latest.values.volume !== 30) latest = JSON.parse(await again.next());
    expect(latest).toMatchObject({ values: { power: true, volume: 30 } });
    again.stop();
  });
});
