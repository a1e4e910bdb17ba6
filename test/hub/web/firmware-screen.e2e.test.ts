// Hub → Firmware updates in a real browser against a real hub: a finished rollout and a running
// one (its canary is a TV that is switched off, so it waits), progress per wave in words, and
// stopping the running one after a confirmation. The screen is its own chunk: the app fetches it
// only when it is opened.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../../../bench/lib/axe.js';
import { killAll, runHearth, spawnHearth } from '../../devices/support/processes.js';
import { launchPhone } from '../../support/browser.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const shots = process.env.HEARTH_UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, '../../../docs/screenshots')
  : mkdtempSync(join(tmpdir(), 'hearth-shots-'));

interface Rollout {
  id: string;
  status: string;
  haltedReason: string | null;
}

describe('firmware rollouts in the phone app', () => {
  let t: TestHub;
  let phone: Awaited<ReturnType<typeof launchPhone>>;
  let page: Page;
  let dir: string;
  const assets: string[] = [];
  const hearth = async (...args: string[]) => {
    const r = await runHearth([...args, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.json as Record<string, unknown>;
  };
  const auth = () => ['--hub', t.baseUrl, '--token', t.token];
  const rollout = async (id: string) =>
    (await (await t.api(`/api/v1/firmware/rollouts/${id}`)).json()) as Rollout;
  const release = async (model: string, version: string) => {
    const out = join(dir, `${model}-${version}.hup`);
    await hearth(
      'firmware',
      'build',
      model,
      '--version',
      version,
      '--key',
      join(dir, 'keys', 'release.key'),
      '--out',
      out,
    );
    await hearth('firmware', 'upload', out, ...auth());
  };
  const start = (model: string, version: string) =>
    hearth(
      'firmware',
      'rollout',
      'start',
      '--model',
      model,
      '--version',
      version,
      '--canary',
      '1',
      '--waves',
      '100%',
      ...auth(),
    ) as Promise<unknown> as Promise<Rollout>;

  beforeAll(async () => {
    t = await startTestHub();
    dir = t.dataDir;
    await hearth('firmware', 'keygen', '--out', join(dir, 'keys'));
    const fleet = spawnHearth([
      'fleet',
      '--model',
      'light',
      '--count',
      '2',
      ...auth(),
      '--json',
      '--release-key',
      join(dir, 'keys', 'release.pub'),
      '--ota-health-ms',
      '500',
      '--flash-dir',
      join(dir, 'fleet'),
    ]);
    await fleet.waitForLine((l) => l.event === 'summary', 'fleet summary', 30_000);
    await waitFor(
      () =>
        t.hub.context.registry.list().filter((d) => d.model === 'light' && d.firmware === '1.0.0').length ===
        2,
      { what: 'the lights report their firmware' },
    );
    // A TV that was set up and then switched off: its update waits for it.
    await hearth('flash', 'tv', '--name', 'Attic TV', '--out', join(dir, 'tv.img'), ...auth());
    await release('light', '1.1.0');
    const lights = await start('light', '1.1.0');
    await waitFor(async () => (await rollout(lights.id)).status === 'completed', {
      what: 'the light rollout finished',
      timeoutMs: 30_000,
    });
    await release('tv', '2.0.0');
    await start('tv', '2.0.0');

    const { code } = (await (
      await t.api('/api/v1/pairing-codes', { method: 'POST', json: { role: 'admin' } })
    ).json()) as { code: string };
    const paired = await t.api('/api/v1/pair', { method: 'POST', json: { code }, token: null });
    const { token } = (await paired.json()) as { token: string };
    phone = await launchPhone();
    await phone.context.addCookies([{ name: 'hearth_token', value: token, url: t.baseUrl }]);
    page = await phone.context.newPage();
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/assets/')) assets.push(path);
    });
  }, 90_000);

  afterAll(async () => {
    await phone?.close();
    await killAll();
    await t?.cleanup();
  });

  it('shows each rollout wave by wave, in words, and loads the screen only when opened', async () => {
    await page.goto(`${t.baseUrl}/#/hub`);
    const link = page.getByRole('link', { name: /Firmware updates/ });
    await link.waitFor();
    expect(assets.some((a) => a.includes('/firmware-'))).toBe(false);
    await link.click();
    await page.getByRole('heading', { name: 'Firmware updates', level: 1 }).waitFor();
    expect(assets.some((a) => a.includes('/firmware-'))).toBe(true);

    // One TV: it is the canary, and the 100% wave after it has nobody left.
    const tv = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'tv 2.0.0' }) });
    const lights = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'light 1.1.0' }) });
    await tv.getByText('Updating: canary (step 1 of 1).').waitFor();
    await lights.getByText('Finished: every device is on the new version.').waitFor();
    expect(await lights.getByText('1 of 1 updated', { exact: true }).count()).toBe(2); // canary, 100%
    expect(await tv.getByText('0 of 1 updated', { exact: true }).count()).toBe(1);
    // Newest first; a finished rollout offers no stop.
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'tv 2.0.0',
      'light 1.1.0',
    ]);
    expect(await lights.getByRole('button', { name: /Stop/ }).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'firmware.png') });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('stops a running rollout only after a confirmation, and says it cannot be resumed', async () => {
    const tv = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'tv 2.0.0' }) });
    const id = (
      (await (await t.api('/api/v1/firmware/rollouts')).json()) as {
        rollouts: Array<Rollout & { model: string }>;
      }
    ).rollouts.find((r) => r.model === 'tv')?.id as string;
    await tv.getByRole('button', { name: 'Stop this rollout…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop the update to tv 2.0.0?' });
    await dialog.getByRole('button', { name: 'Keep going' }).click();
    expect((await rollout(id)).status).toBe('running');
    await tv.getByRole('button', { name: 'Stop this rollout…' }).click();
    await dialog.getByRole('button', { name: 'Stop rollout' }).click();
    await tv.getByText('Stopped: halted by the owner.').waitFor();
    expect(await rollout(id)).toMatchObject({ status: 'halted', haltedReason: 'halted by the owner' });
    await tv.getByText(/does not start again/).waitFor();
    expect(await tv.getByRole('button', { name: /Stop/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});
