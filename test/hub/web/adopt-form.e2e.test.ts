// The phone app's adopt form asks for the setup code on the label: a wrong one is explained in
// plain words and adopts nothing; the right one adopts the device, which comes online.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, runHearth, spawnHearth } from '../../devices/support/processes.js';
import { launchPhone } from '../../support/browser.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

describe('adopting from the phone app', () => {
  let t: TestHub;
  let phone: Awaited<ReturnType<typeof launchPhone>>;
  let page: Page;

  beforeAll(async () => {
    t = await startTestHub();
    phone = await launchPhone();
    page = phone.context.pages()[0] ?? (await phone.context.newPage());
  }, 60_000);
  afterAll(async () => {
    await phone?.close();
    await killAll();
    await t?.cleanup();
  });

  it('asks for the setup code; a wrong one is refused, the right one adopts', async () => {
    const image = join(t.dataDir, 'factory-light.img');
    const flashed = await runHearth([
      'flash',
      'light',
      '--name',
      'x',
      '--factory',
      '--data-dir',
      t.dataDir,
      '--out',
      image,
      '--json',
    ]);
    expect(flashed.code).toBe(0);
    const { claimId, setupCode } = flashed.json as { claimId: string; setupCode: string };
    spawnHearth(['device', 'run', image, '--flash-dir', join(t.dataDir, 'flash')]);

    const { code } = (await (
      await t.api('/api/v1/pairing-codes', { method: 'POST', json: { role: 'admin' } })
    ).json()) as { code: string };
    await page.goto(t.baseUrl);
    await page.getByLabel('Pairing code').fill(code);
    await page.getByRole('button', { name: 'Pair' }).click();
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Hub', exact: true }).click();
    const row = page.getByRole('listitem').filter({ hasText: claimId });
    await row.waitFor({ timeout: 20_000 });

    const before = t.hub.context.registry.list().length;
    const wrong = `${setupCode[0] === 'A' ? 'B' : 'A'}${setupCode.slice(1)}`;
    await row.getByLabel(/name/).fill('Shelf light');
    await row.getByLabel(/setup code/).fill(wrong);
    await row.getByRole('button', { name: 'Adopt' }).click();
    await page.getByText('The device could not prove the setup code; check the label.').waitFor();
    expect(t.hub.context.registry.list().length).toBe(before);

    await row.getByLabel(/setup code/).fill(setupCode.toLowerCase());
    await row.getByRole('button', { name: 'Adopt' }).click();
    await page.getByText('Adopted. It will appear under Devices in a moment.').waitFor();
    const adopted = await waitFor(
      () => t.hub.context.registry.list().find((d) => d.name === 'Shelf light' && d.online),
      { what: 'the adopted light online', timeoutMs: 20_000 },
    );
    expect(adopted.model).toBe('light');
  }, 90_000);
});
