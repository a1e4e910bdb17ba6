// The hub screen is honest about the cloud: with the cloud unreachable and its circuit open, it
// says so and how many changes wait, instead of "OK".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../hub/drills/cloud-broker.js';
import { launchPhone } from '../../support/browser.js';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

describe('cloud status in the phone app', () => {
  let t: TestHub;
  let phone: Awaited<ReturnType<typeof launchPhone>>;

  beforeAll(async () => {
    const port = await freePort(); // nothing listens there: the cloud is unreachable
    t = await startTestHub({
      config: {
        plugins: {
          'cloud-sync': {
            url: `mqtt://127.0.0.1:${port}`,
            ratePerSecond: 0,
            backoffMaxMs: 100,
            breakerHalfOpenMs: 600_000,
            connectTimeoutMs: 1000,
            topicPrefix: 'hearth/home-1',
          },
        },
      },
    });
    phone = await launchPhone();
  }, 60_000);

  afterAll(async () => {
    await phone?.close();
    await t?.cleanup();
  });

  it('says "Cloud unreachable — N changes waiting" while the circuit is open', async () => {
    const { id, client } = await t.connectDevice('tv');
    const device = await scriptDevice(id, client);
    await device.announce();
    const status = async () =>
      (await (await t.api('/api/v1/cloud')).json()) as { circuit: string; queueDepth: number };
    const open = await waitFor(
      async () => {
        const s = await status();
        return s.circuit === 'open' && s.queueDepth > 0 ? s : null;
      },
      { what: 'circuit open with changes queued', timeoutMs: 15_000 },
    );

    const { code } = (await (
      await t.api('/api/v1/pairing-codes', { method: 'POST', json: { role: 'admin' } })
    ).json()) as {
      code: string;
    };
    const paired = await t.api('/api/v1/pair', { method: 'POST', json: { code }, token: null });
    const { token } = (await paired.json()) as { token: string };
    await phone.context.addCookies([{ name: 'hearth_token', value: token, url: t.baseUrl }]);
    const page = await phone.context.newPage();
    await page.goto(`${t.baseUrl}/#/hub`);
    const line = page.getByText(/^Cloud unreachable — \d+ changes? waiting/);
    await line.waitFor();
    const shown = Number((await line.textContent())?.match(/— (\d+) change/)?.[1]);
    expect(shown).toBeGreaterThanOrEqual(1);
    expect(shown).toBeLessThanOrEqual(open.queueDepth + 5);
    expect(await page.getByText(/Cloud sync/).count()).toBe(1);
    expect(await page.getByText(/circuit-open|· OK/).count()).toBe(0);
  });
});
