// Home Assistant MQTT discovery consumed on the hub's own broker, with Debian's mosquitto clients
// as the foreign devices (fixtures written from Zigbee2MQTT's, ESPHome's, Tasmota's and
// OpenMQTTGateway's documented formats), each an integration user with least rights: the devices
// appear with the right capabilities, obey commands on their documented command topics, report
// state, go offline through availability, and disappear on an empty config.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { loadFixture, type MqttLogin, mosquittoPub, mosquittoSub } from '../../support/mosquitto-foreign.js';
import { waitFor } from '../../support/wait.js';

interface Msg {
  topic: string;
  payload: string;
}
interface Fixture {
  config?: { topic: string; payload: object };
  configs?: Array<{ topic: string; payload: object }>;
  online?: Msg | Msg[];
  offline?: Msg;
  state?: Msg;
  states?: Msg[];
}
interface Device {
  id: string;
  name: string;
  model: string;
  online: boolean;
  capabilities: Array<{
    name: string;
    kind: string;
    type: string;
    label: string;
    min?: number;
    max?: number;
  }>;
  reported: Record<string, unknown>;
  fault: string | null;
}

describe('Home Assistant discovery on the hub broker', () => {
  let t: TestHub;
  const logins: Record<string, MqttLogin> = {};
  const addUser = async (name: string, pub: string[], sub: string[]) => {
    const password = await t.addMqttUser(name, { pub, sub });
    logins[name] = { port: t.hub.ports.mqtt, user: name, password };
  };
  const devices = async () =>
    ((await (await t.api('/api/v1/devices')).json()) as { devices: Device[] }).devices;
  const device = async (name: string) => (await devices()).find((d) => d.name === name);
  const replay = async (login: MqttLogin, msgs: Msg | Msg[] | undefined, retain = true) => {
    for (const m of Array.isArray(msgs) ? msgs : msgs ? [msgs] : [])
      await mosquittoPub(login, m.topic, m.payload, { retain });
  };
  const announce = async (login: MqttLogin, f: Fixture) => {
    for (const c of f.configs ?? (f.config ? [f.config] : []))
      await mosquittoPub(login, c.topic, c.payload, { retain: true });
  };
  const command = async (id: string, capability: string, value: unknown) => {
    const res = await t.api(`/api/v1/devices/${id}/commands`, {
      method: 'POST',
      json: { capability, value },
    });
    return { status: res.status, body: (await res.json()) as { id: string; status: string } };
  };

  beforeAll(async () => {
    t = await startTestHub();
    // Least rights: each device publishes discovery and its own topics, and reads its commands.
    await addUser('z2m', ['homeassistant/#', 'zigbee2mqtt/#'], ['zigbee2mqtt/#', 'homeassistant/status']);
    await addUser('esphome', ['homeassistant/#', 'livingroom-relay/#'], ['livingroom-relay/#']);
    await addUser('tasmota', ['homeassistant/#', 'tasmota_A1B2C3/#'], ['tasmota_A1B2C3/#']);
    await addUser('omg', ['homeassistant/#', 'home/OMG_ESP32_BLE/#'], []);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('a Zigbee2MQTT colour bulb: capabilities, availability, state, a brightness command, removal', async () => {
    const z2m = logins.z2m as MqttLogin;
    const f = loadFixture<Fixture>('zigbee2mqtt-light.json');
    await announce(z2m, f);
    const lamp = await waitFor(() => device('Desk lamp'), { what: 'the Z2M light in the API' });
    expect(lamp.id).toMatch(/^ha-zigbee2mqtt-0x00158d0001a2b3c4-[0-9a-f]{6}$/);
    await waitFor(async () => (await device('Desk lamp'))?.capabilities.length === 4, { what: 'its info' });
    const caps = (await device('Desk lamp'))?.capabilities ?? [];
    expect(caps.map((c) => `${c.name}:${c.kind}:${c.type}`)).toEqual([
      'power:setting:boolean',
      'brightness:setting:integer',
      'color_temp:setting:integer',
      'rgb:setting:color',
    ]);
    expect(caps.find((c) => c.name === 'color_temp')).toMatchObject({ min: 250, max: 454 });
    expect((await device('Desk lamp'))?.online).toBe(false); // availability not heard yet
    await replay(z2m, f.online);
    await waitFor(async () => (await device('Desk lamp'))?.online, { what: 'online through availability' });
    await replay(z2m, f.state);
    const reported = await waitFor(async () => {
      const r = (await device('Desk lamp'))?.reported;
      return r?.power === true ? r : undefined;
    });
    expect(reported).toEqual({ power: true, brightness: 100, color_temp: 300 });

    const watch = await mosquittoSub(z2m, 'zigbee2mqtt/Desk lamp/set');
    const sent = await command(lamp.id, 'brightness', 50);
    expect(sent.status).toBeLessThan(300);
    expect(JSON.parse(await watch.next())).toEqual({ state: 'ON', brightness: 127 });
    const colour = await command(lamp.id, 'rgb', '#ff0000');
    expect(colour.status).toBeLessThan(300);
    expect(JSON.parse(await watch.next())).toEqual({ state: 'ON', color: { x: 0.6401, y: 0.33 } });
    await waitFor(
      async () => {
        const list = (await (await t.api(`/api/v1/devices/${lamp.id}/commands`)).json()) as {
          commands: Array<{ id: string; status: string }>;
        };
        return list.commands.find((c) => c.id === sent.body.id)?.status === 'done';
      },
      { what: 'the command acked' },
    );
    watch.stop();
    expect(watch.all()).toHaveLength(2); // each command delivered once

    await replay(z2m, f.offline);
    await waitFor(async () => (await device('Desk lamp'))?.online === false, { what: 'offline' });
    await mosquittoPub(z2m, f.config?.topic ?? '', '', { retain: true });
    await waitFor(async () => (await t.api(`/api/v1/devices/${lamp.id}`)).status === 404, {
      what: 'removed on an empty config',
    });
  });

  it('an ESPHome switch and sensor become one device; the switch obeys ON/OFF', async () => {
    const esp = logins.esphome as MqttLogin;
    const f = loadFixture<Fixture>('esphome-relay.json');
    await announce(esp, f);
    await replay(esp, f.online);
    await replay(esp, f.states);
    const relay = await waitFor(
      async () => {
        const d = await device('livingroom-relay');
        return d?.online && d.reported.temperature === 21.5 ? d : undefined;
      },
      { what: 'the ESPHome node online with its temperature' },
    );
    expect(relay.capabilities.map((c) => [c.name, c.label])).toEqual([
      ['power', 'Relay'],
      ['temperature', 'Temperature'],
    ]);
    expect(relay.reported).toEqual({ power: false, temperature: 21.5 });
    const watch = await mosquittoSub(esp, 'livingroom-relay/switch/relay/command');
    expect((await command(relay.id, 'power', true)).status).toBeLessThan(300);
    expect(await watch.next()).toBe('ON');
    watch.stop();
    await mosquittoPub(esp, 'livingroom-relay/switch/relay/state', 'ON', { retain: true });
    await waitFor(async () => (await device('livingroom-relay'))?.reported.power === true, {
      what: 'ON reported',
    });
    const refused = await command(relay.id, 'temperature', 30);
    expect(refused.status).toBe(422); // a sensor is read-only, as for Hearth's own devices
    await replay(esp, f.offline);
    await waitFor(async () => (await device('livingroom-relay'))?.online === false, { what: 'offline' });
  });

  it('a Tasmota plug (~ base topic, Online/Offline, val_tpl) switches off and reports its power draw', async () => {
    const tas = logins.tasmota as MqttLogin;
    const f = loadFixture<Fixture>('tasmota-plug.json');
    await announce(tas, f);
    await replay(tas, f.online);
    await replay(tas, f.states);
    const plug = await waitFor(
      async () => {
        const d = await device('Kettle plug');
        return d?.online && d.reported.wattage === 1850 ? d : undefined;
      },
      { what: 'the Tasmota plug with its power draw' },
    );
    expect(plug.capabilities.map((c) => c.name)).toEqual(['power', 'wattage']);
    expect(plug.reported.power).toBe(true);
    const watch = await mosquittoSub(tas, 'tasmota_A1B2C3/cmnd/POWER');
    expect((await command(plug.id, 'power', false)).status).toBeLessThan(300);
    expect(await watch.next()).toBe('OFF');
    watch.stop();
  });

  it('an OpenMQTTGateway BLE thermometer: two is_defined templates over one topic', async () => {
    const omg = logins.omg as MqttLogin;
    const f = loadFixture<Fixture>('openmqttgateway-ble.json');
    await announce(omg, f);
    await replay(omg, f.states, false);
    const sensor = await waitFor(
      async () => {
        const d = await device('LYWSD03MMC-ABBCC');
        return d?.reported.humidity === 48 ? d : undefined;
      },
      { what: 'the BLE sensor readings' },
    );
    expect(sensor.reported).toEqual({ temperature: 22.4, humidity: 48 });
    expect(sensor.online).toBe(true); // no availability topic: available, as in Home Assistant
  });

  it('a hub-run schedule switches the foreign plug on', async () => {
    const tas = logins.tasmota as MqttLogin;
    const plug = (await device('Kettle plug')) as Device;
    const watch = await mosquittoSub(tas, 'tasmota_A1B2C3/cmnd/POWER');
    const res = await t.api('/api/v1/schedules', {
      method: 'POST',
      json: {
        id: 'kettle',
        deviceId: plug.id,
        command: { capability: 'power', value: true },
        at: Date.now() + 1500,
      },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { runsOn: string }).runsOn).toBe('hub');
    expect(await watch.next()).toBe('ON');
    watch.stop();
  });

  it('refuses configs that point at Hearth topics, and integration users cannot publish there', async () => {
    const z2m = logins.z2m as MqttLogin;
    await mosquittoPub(
      z2m,
      'homeassistant/switch/evil/config',
      { name: 'evil', command_topic: 'hearth/dev/tv-1/cmd', unique_id: 'evil' },
      { retain: true },
    );
    await waitFor(
      () => /hearth_ha_discovery_refused_total(\{[^}]*\})? [1-9]/.test(t.hub.context.metrics.render()),
      {
        what: 'the config refused',
      },
    );
    expect(await device('evil')).toBeUndefined();
    await mosquittoPub(z2m, 'homeassistant/vacuum/robot/config', {
      name: 'robot',
      cmd_t: 'zigbee2mqtt/robot/set',
    });
    const res = await t.api('/api/v1/ecosystem/entities');
    expect(res.status).toBe(200);
    const { entities } = (await res.json()) as { entities: Array<Record<string, unknown>> };
    expect(entities).toContainEqual(
      expect.objectContaining({
        source: 'local',
        configTopic: 'homeassistant/switch/evil/config',
        ok: false,
        reason: expect.stringMatching(/belong to Hearth/),
      }),
    );
    await waitFor(async () => {
      const r = (await (await t.api('/api/v1/ecosystem/entities')).json()) as {
        entities: Array<{ reason?: string }>;
      };
      return r.entities.some((e) => e.reason === 'component "vacuum" is not supported');
    });
    expect(entities.filter((e) => e.ok).map((e) => e.component)).toEqual(
      expect.arrayContaining(['switch', 'sensor', 'switch', 'sensor', 'sensor']),
    );
  });

  it('a template Hearth cannot render is a clear fault, not a guess', async () => {
    const z2m = logins.z2m as MqttLogin;
    await mosquittoPub(
      z2m,
      'homeassistant/sensor/0xbeef/uptime/config',
      {
        name: 'Uptime',
        state_topic: 'zigbee2mqtt/Odd sensor',
        value_template: '{{ as_timestamp(value_json.last_seen) }}',
        device: { identifiers: ['zigbee2mqtt_0xbeef'], name: 'Odd sensor' },
      },
      { retain: true },
    );
    await waitFor(() => device('Odd sensor'), { what: 'the odd sensor' });
    await mosquittoPub(z2m, 'zigbee2mqtt/Odd sensor', '{"last_seen":"2026-12-02T05:00:00Z"}');
    const odd = await waitFor(
      async () => {
        const d = await device('Odd sensor');
        return d?.fault === 'unsupported_template' ? d : undefined;
      },
      { what: 'the unsupported_template fault' },
    );
    expect(odd.reported).toEqual({});
  });
});
