// A Zigbee2MQTT bulb announced through discovery (mosquitto_pub) shows in the phone app (a real
// Chromium) with controls from its descriptors — a power switch, a brightness slider and a colour
// picker — and the switch sends the documented JSON to its command topic (mosquitto_sub).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPhone } from '../../support/browser.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { loadFixture, type MqttLogin, mosquittoPub, mosquittoSub } from '../../support/mosquitto-foreign.js';

interface Msg {
  topic: string;
  payload: string;
}

describe('a foreign device in the phone app', () => {
  let t: TestHub;
  let phone: Awaited<ReturnType<typeof launchPhone>>;
  let z2m: MqttLogin;

  beforeAll(async () => {
    t = await startTestHub();
    const password = await t.addMqttUser('z2m', {
      pub: ['homeassistant/#', 'zigbee2mqtt/#'],
      sub: ['zigbee2mqtt/#'],
    });
    z2m = { port: t.hub.ports.mqtt, user: 'z2m', password };
    phone = await launchPhone();
  }, 60_000);
  afterAll(async () => {
    await phone?.close();
    await t?.cleanup();
  });

  it('renders the bulb with a switch, a slider and a colour picker, and the switch obeys', async () => {
    const f = loadFixture<{ config: { topic: string; payload: object }; online: Msg[] }>(
      'zigbee2mqtt-light.json',
    );
    await mosquittoPub(z2m, f.config.topic, f.config.payload, { retain: true });
    for (const m of f.online) await mosquittoPub(z2m, m.topic, m.payload, { retain: true });
    await mosquittoPub(z2m, 'zigbee2mqtt/Desk lamp', '{"state":"OFF","brightness":127,"color_temp":300}', {
      retain: true,
    });
    const { code } = (await (
      await t.api('/api/v1/pairing-codes', { method: 'POST', json: { role: 'admin' } })
    ).json()) as {
      code: string;
    };
    const { token } = (await (
      await t.api('/api/v1/pair', { method: 'POST', json: { code }, token: null })
    ).json()) as {
      token: string;
    };
    await phone.context.addCookies([{ name: 'hearth_token', value: token, url: t.baseUrl }]);
    const page = await phone.context.newPage();
    await page.goto(t.baseUrl);
    await page.getByRole('link', { name: /Desk lamp/ }).click();
    await page.getByRole('heading', { name: 'Desk lamp' }).waitFor();
    const power = page.getByRole('switch', { name: 'Power' });
    await power.waitFor();
    expect(await page.getByRole('slider', { name: 'Brightness' }).inputValue()).toBe('50');
    expect(await page.getByLabel('Colour', { exact: true }).getAttribute('type')).toBe('color');
    const set = await mosquittoSub(z2m, 'zigbee2mqtt/Desk lamp/set');
    await power.click();
    expect(JSON.parse(await set.next())).toEqual({ state: 'ON' });
    await page.getByRole('status').getByText('Done.').waitFor();
    set.stop();
  });
});
