// The first frame of a screen the phone opened before is that screen as last seen, painted from
// the page alone: with the app's modules held back, a reopened device screen shows its name and
// its controls at once (no "Loading…"), without the outcome that was on screen when it was left,
// and the header says it is still connecting, not "Live". Once the modules load it is the app.
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPhone } from '../../support/browser.js';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';

describe('the first frame of a screen opened before', () => {
  let t: TestHub;
  let phone: Awaited<ReturnType<typeof launchPhone>>;
  let tvId = '';

  beforeAll(async () => {
    t = await startTestHub();
    const { id, client } = await t.connectDevice('tv');
    tvId = id;
    await (await scriptDevice(id, client)).announce({ power: false, channel: 3 });
    await t.api(`/api/v1/devices/${id}`, { method: 'PATCH', json: { name: 'Den TV' } });
    phone = await launchPhone();
    await phone.context.addCookies([{ name: 'hearth_token', value: t.token, url: t.baseUrl }]);
  }, 60_000);

  afterAll(async () => {
    await phone?.close();
    await t?.cleanup();
  });

  it('is the device screen as last seen, before any module has loaded', async () => {
    const page = await phone.context.newPage();
    await page.goto(`${t.baseUrl}/#/device/${tvId}`);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('status').getByText('Done.').waitFor();
    // The worker would hand the modules out itself, past the hold below: this phone goes without.
    await page.evaluate(async () => {
      for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    });
    await page.goto('about:blank'); // leaving the page keeps its look at once

    // A fresh tab with the service worker's and the network's modules held back.
    const again = await phone.context.newPage();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hold = async (route: Route) => {
      await held;
      await route.continue();
    };
    await again.route('**/assets/**', hold);
    await again.goto(`${t.baseUrl}/#/device/${tvId}`, { waitUntil: 'domcontentloaded' });
    await again.getByRole('heading', { name: 'Den TV', level: 1 }).waitFor();
    expect(await again.getByRole('button', { name: 'Turn off' }).count()).toBe(1);
    expect(await again.getByText('Loading…').count()).toBe(0);
    expect(await again.getByText('Done.').count()).toBe(0);
    expect(await again.getByText('Live', { exact: true }).count()).toBe(0);
    expect(
      await again.evaluate(() => document.querySelectorAll('script[type="module"]').length),
    ).toBeLessThan(2);
    release();
    await again.getByText('Live', { exact: true }).waitFor();
    await again.getByRole('button', { name: 'Turn off' }).waitFor();
  });
});
