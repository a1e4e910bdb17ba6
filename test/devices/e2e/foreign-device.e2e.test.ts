// `hearth device run --foreign`: a real process that speaks Home Assistant discovery (a Tasmota
// plug), connected to a real hub as an integration user: it appears, obeys a command through the
// hub's command path, and goes offline through its will when it is killed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';
import { killAll, spawnHearth } from '../support/processes.js';

interface Device {
  id: string;
  name: string;
  online: boolean;
  reported: Record<string, unknown>;
  capabilities: Array<{ name: string }>;
}

describe('hearth device run --foreign', () => {
  let t: TestHub;
  let password = '';
  beforeAll(async () => {
    t = await startTestHub();
    password = await t.addMqttUser('hallplug', {
      pub: ['homeassistant/#', 'tasmota_D4E5F6/#'],
      sub: ['tasmota_D4E5F6/#', 'homeassistant/status'],
    });
  });
  afterAll(async () => {
    await killAll();
    await t.cleanup();
  });

  const hallPlug = async () =>
    ((await (await t.api('/api/v1/devices')).json()) as { devices: Device[] }).devices.find(
      (d) => d.name === 'Hall plug',
    );

  it('a simulated Tasmota plug announces itself, obeys, and its will marks it offline', async () => {
    const p = spawnHearth(
      [
        ...['device', 'run', '--foreign', 'tasmota-plug', '--mqtt', t.mqttUrl],
        ...['--username', 'hallplug', '--id', 'D4E5F6', '--name', 'Hall plug', '--json'],
      ],
      { HEARTH_MQTT_PASSWORD: password },
    );
    await p.waitForLine((l) => l.event === 'announced', 'announced');
    const plug = await waitFor(
      async () => {
        const d = await hallPlug();
        return d?.online && d.reported.power === false ? d : undefined;
      },
      { what: 'the plug online and off' },
    );
    expect(plug.capabilities.map((c) => c.name)).toEqual(['power']);
    const res = await t.api(`/api/v1/devices/${plug.id}/commands`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    expect(res.status).toBeLessThan(300);
    await p.waitForLine((l) => l.event === 'command' && l.payload === 'ON', 'the ON command');
    await waitFor(async () => (await hallPlug())?.reported.power === true, { what: 'ON reported' });
    expect(p.lines.filter((l) => l.event === 'command')).toHaveLength(1);
    p.child.kill('SIGKILL');
    await waitFor(async () => (await hallPlug())?.online === false, { what: 'offline through the will' });
  });
});
