import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../../../bench/lib/axe.js';
import type { DeviceView } from '../../../shared/views.js';
import { type HearthProcess, killAll } from '../../devices/support/processes.js';
import type { Phone } from '../../support/browser.js';
import { contrastOf } from '../../support/contrast.js';
import { type PhoneTopology, startTopology, TOPOLOGIES } from '../../support/phone-topology.js';
import { waitFor } from '../../support/wait.js';

/**
 * The story: change the channel and feed the cat from a phone on the LAN, with no internet. On
 * loopback, and on a LAN in network namespaces over HTTPS with the hub CA trusted.
 */
describe.each(TOPOLOGIES)('phone app in a real browser (%s)', (topology) => {
  // The README's screenshots: refreshed with HEARTH_UPDATE_SCREENSHOTS=1 from the loopback run,
  // otherwise taken into a temp folder (still exercising the views) so a run leaves the checkout clean.
  const shots =
    process.env.HEARTH_UPDATE_SCREENSHOTS && topology === 'loopback'
      ? join(import.meta.dirname, '../../../docs/screenshots')
      : mkdtempSync(join(tmpdir(), 'hearth-shots-'));
  let t: PhoneTopology;
  let phone: Phone;
  let page: Page;
  let tv: { id: string; proc: HearthProcess };
  let feeder: { id: string; proc: HearthProcess };
  const foreignRequests: string[] = [];
  const notFound: string[] = [];
  const scriptErrors: string[] = [];
  /** The device as the hub's API tells it. */
  const device = async (id: string) => (await (await t.api(`/api/v1/devices/${id}`)).json()) as DeviceView;

  beforeAll(async () => {
    t = await startTopology(topology);
    tv = await t.boot('tv', 'Living room TV');
    feeder = await t.boot('feeder', 'Cat feeder');
    await t.api(`/api/v1/devices/${tv.id}`, { method: 'PATCH', json: { room: 'Living room' } });
    await t.api(`/api/v1/devices/${feeder.id}`, { method: 'PATCH', json: { room: 'Kitchen' } });
    phone = await t.launchPhone();
    page = phone.context.pages()[0] ?? (await phone.context.newPage());
    const hubOrigin = new URL(t.hubUrl).origin;
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== hubOrigin) foreignRequests.push(r.url());
    });
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });
    page.on('pageerror', (err) => scriptErrors.push(String(err)));
    // A refused command's 409 is logged as a failed resource; anything else is the app's fault.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) scriptErrors.push(m.text());
    });
  }, 90_000);

  afterAll(async () => {
    await phone?.close();
    await killAll();
    await t?.close();
  });

  it('pairs with the code the hub shows', async () => {
    const { code } = (await (
      await t.api('/api/v1/pairing-codes', { method: 'POST', json: { role: 'admin' } })
    ).json()) as {
      code: string;
    };
    await page.goto(t.hubUrl);
    await page.getByLabel('Pairing code').fill('0000-0000');
    await page.getByRole('button', { name: 'Pair' }).click();
    await page.getByText('That code is not valid').waitFor();
    await page.screenshot({ path: join(shots, 'pair.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Pairing code').fill(code);
    await page.getByRole('button', { name: 'Pair' }).click();
    await page.getByRole('heading', { name: 'Living room' }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    // 127.0.0.1, or the LAN address over HTTPS with the hub CA trusted: both are secure contexts.
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    await page.screenshot({ path: join(shots, 'devices.png') });
    expect(await axeViolations(page)).toEqual([]);
    // Rooms in the order of their names, whatever the devices are called.
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'Kitchen',
      'Living room',
    ]);
    expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Devices']);
  });

  it('first paint says loading, not empty, and the list, the stream and the session are asked at once', async () => {
    await page.evaluate(() => localStorage.removeItem('hearth.devices'));
    // The hub's answers are held until all three were asked: a chain (session, then stream, then
    // list) would never get that far.
    const asked = new Set<string>();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = ['/api/v1/hub', '/api/v1/devices', '/api/v1/events'];
    const hold = async (route: Route) => {
      asked.add(new URL(route.request().url()).pathname);
      await gate;
      await route.continue();
    };
    for (const path of held) await page.route(`**${path}`, hold);
    await page.reload();
    await page.getByText('Loading devices…').waitFor();
    expect(await page.getByText(/No devices yet/).count()).toBe(0);
    await waitFor(() => held.every((p) => asked.has(p)), { what: 'hub, devices and events asked at once' });
    release();
    await page.getByRole('heading', { name: 'Living room' }).waitFor();
    for (const path of held) await page.unroute(`**${path}`, hold);

    // The bundle goes compressed to a browser that accepts it, and a revalidation costs a 304.
    const raw = async (path: string, headers: Record<string, string>) => {
      const { body, ...rest } = await t.raw(path, headers);
      return { ...rest, bytes: body.length };
    };
    const entry = String(await page.evaluate(() => document.documentElement.dataset.entry));
    const plain = await raw(entry, {});
    const br = await raw(entry, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await raw(entry, { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.bytes).toBeLessThan(plain.bytes / 2);
    expect(br.headers['cache-control']).toMatch(/immutable/); // its name carries its content
    const again = await raw(entry, {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.bytes).toBe(0);
    expect((await raw('/favicon.ico', {})).status).toBe(200);
  });

  it('turns the TV on and changes the channel; the remote shows what the TV reports', async () => {
    await page.getByRole('link', { name: /Living room TV/ }).click();
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('status').getByText('Done.').waitFor();
    await page.getByRole('button', { name: 'Turn off' }).waitFor();
    await page.getByRole('button', { name: 'Channel up' }).click();
    await page.getByRole('group', { name: 'Channel' }).getByText('2', { exact: true }).waitFor();
    await page.getByRole('button', { name: '4', exact: true }).click();
    await page.getByRole('button', { name: '2', exact: true }).click();
    await page.getByRole('button', { name: 'OK, go to channel 42' }).click();
    await page.getByRole('group', { name: 'Channel' }).getByText('42', { exact: true }).waitFor();
    expect((await device(tv.id)).reported).toMatchObject({ power: true, channel: 42 });
    // Someone uses the TV's own remote: the change is pushed from the device to the phone.
    tv.proc.send({ device: tv.id, sense: { channel: 7 } });
    await page.getByRole('group', { name: 'Channel' }).getByText('7', { exact: true }).waitFor();
    // A TV's remote wins (device-wins twin): the app says the channel was changed on the set.
    await page.getByText('Changed on the device: Channel.').waitFor();
    await page.screenshot({ path: join(shots, 'tv-remote.png') });
    expect(await axeViolations(page)).toEqual([]);
    const mute = page.getByRole('button', { name: 'Mute' });
    expect(await mute.getAttribute('aria-pressed')).toBe('false');
    await mute.click();
    await waitFor(async () => (await mute.getAttribute('aria-pressed')) === 'true', { what: 'mute pressed' });
    await mute.click();
    await waitFor(async () => (await mute.getAttribute('aria-pressed')) === 'false', {
      what: 'mute released',
    });
  });

  it('feeds the cat after a confirmation, and explains a refused feed in plain words', async () => {
    await page.getByRole('link', { name: 'All devices' }).click();
    await page.getByRole('link', { name: /Cat feeder/ }).click();
    await page.getByRole('button', { name: 'Feed now…' }).click();
    await page.getByRole('dialog').getByLabel('Portions').fill('2');
    await page.screenshot({ path: join(shots, 'feed-confirm.png') });
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').getByText('Done.').waitFor();
    await waitFor(async () => (await device(feeder.id)).reported.hopper === 90, {
      what: 'hopper down by 2 portions',
    });
    await page.getByRole('meter').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    feeder.proc.send({ device: feeder.id, fault: 'jam', on: true });
    await page.getByRole('button', { name: 'Feed now…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const refused = page.getByText(/The device refused: .+/);
    await refused.waitFor();
    await page.getByText(/Jammed\. Clear the food chute/).waitFor();
    await page.screenshot({ path: join(shots, 'feeder-refused.png') });

    // The list flags the fault, in colours that read (not the green of "Online"), with a hint.
    await page.getByRole('link', { name: 'All devices' }).click();
    const card = page.getByRole('link', { name: /Cat feeder/ });
    await card.getByText('Needs attention').waitFor();
    await page.screenshot({ path: join(shots, 'devices-fault.png') });
    const line = card.getByText(/Jammed: Clear the food chute/);
    expect(await contrastOf(line)).toBeGreaterThanOrEqual(4.5);
    expect(await contrastOf(card.getByText('Needs attention'))).toBeGreaterThanOrEqual(4.5);
    expect(await line.evaluate((e) => getComputedStyle(e).color)).not.toBe('rgb(22, 101, 52)');
    await card.click();

    // The jam is cleared: the refusal is history and goes; the next feed is just "Done.".
    feeder.proc.send({ device: feeder.id, fault: 'jam', on: false });
    await refused.waitFor({ state: 'detached' });
    await page.getByText(/Jammed\./).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Feed now…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').getByText('Done.').waitFor();

    // History: the hopper charted from the hub's real history, and the feeds in a timeline.
    await waitFor(async () => (await device(feeder.id)).reported.hopper === 85, {
      what: 'hopper down by 3 portions',
    });
    await page.getByRole('link', { name: 'History and charts' }).click();
    const chart = page.getByRole('img', { name: /Hopper level/ });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(/from 100 to 85 %, lowest 85, highest 100/);
    const d = (await chart.locator('path.series').getAttribute('d')) ?? '';
    expect(d.match(/V/g)?.length).toBeGreaterThanOrEqual(2); // 100 → 90 → 85 (two steps down)
    const timeline = page.getByRole('list').filter({ hasText: 'Feed 2 portions' });
    await timeline.getByText(/Feed 1 portion — done/).waitFor();
    await timeline.getByText(/Feed 2 portions — refused: the feeder is jammed/).waitFor();
    await page.screenshot({ path: join(shots, 'history.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '7 days' }).click();
    await page.getByRole('button', { name: '7 days', pressed: true }).waitFor();
    await chart.waitFor();
    await page.getByRole('link', { name: '← Cat feeder' }).click();
  });

  it('schedules in words: add, edit, pause, one-off and delete after a confirmation', async () => {
    type Row = {
      id: string;
      deviceId: string;
      cron: string | null;
      at: number | null;
      tz: string;
      enabled: boolean;
    };
    const schedules = async () =>
      ((await (await t.api('/api/v1/schedules')).json()) as { schedules: Row[] }).schedules;
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByText('Nothing scheduled yet.').waitFor();
    const editor = page.getByRole('form', { name: 'New schedule' });
    await editor.getByLabel('Device').selectOption({ label: 'Cat feeder' });
    await editor.getByLabel('Do', { exact: true }).selectOption({ label: 'Feed' });
    await editor.getByLabel('Portions').fill('2');
    await editor.getByLabel('At', { exact: true }).fill('07:30');
    await editor.getByLabel('Time zone').selectOption('Europe/London');
    await editor.getByLabel(/hub was off/).check();
    await editor.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByRole('status').getByText('Schedule added.').waitFor();
    const item = page.getByRole('listitem').filter({ hasText: 'Feed 2 portions' });
    await item.getByText('Every day at 07:30').waitFor();
    await item.getByText(/catches up if missed/).waitFor();
    expect(await schedules()).toEqual([
      expect.objectContaining({
        deviceId: feeder.id,
        cron: '30 7 * * *',
        tz: 'Europe/London',
        enabled: true,
      }),
    ]);

    // Edit: weekdays at 08:15.
    await item.getByRole('button', { name: /^Edit/ }).click();
    const change = page.getByRole('form', { name: 'Change schedule' });
    await change.getByLabel('When', { exact: true }).selectOption('weekdays');
    await change.getByLabel('At', { exact: true }).fill('08:15');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Schedule saved.').waitFor();
    await item.getByText('Weekdays at 08:15').waitFor();
    expect((await schedules())[0]?.cron).toBe('15 8 * * 1-5');

    // Pause and resume.
    await item.getByRole('button', { name: /^Pause/ }).click();
    await item.getByText(/^Paused/).waitFor();
    expect((await schedules())[0]?.enabled).toBe(false);
    await item.getByRole('button', { name: /^Resume/ }).click();
    await item.getByText(/^Next: /).waitFor();

    // A one-off, tomorrow at 09:00.
    await editor.getByLabel('Device').selectOption({ label: 'Cat feeder' });
    await editor.getByLabel('When', { exact: true }).selectOption('once');
    await editor.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByRole('status').getByText('Schedule added.').waitFor();
    await page
      .getByRole('listitem')
      .filter({ hasText: /^Once, .+09:00/ })
      .waitFor();
    expect((await schedules()).filter((r) => r.at !== null)).toHaveLength(1);
    await page.screenshot({ path: join(shots, 'schedules.png'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    // Delete asks first; "Keep it" keeps it; the old success text is gone either way.
    await item.getByRole('button', { name: /^Delete/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this schedule?' });
    await confirm.getByText(/Weekdays at 08:15: Feed 2 portions, Cat feeder/).waitFor();
    expect(await page.getByText('Schedule added.').count()).toBe(0);
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect(await schedules()).toHaveLength(2);
    await item.getByRole('button', { name: /^Delete/ }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').getByText('Schedule deleted.').waitFor();
    await item.waitFor({ state: 'detached' });
    expect(await schedules()).toHaveLength(1);
  });

  it('shows a device that lost power as offline', async () => {
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: /Living room TV/ }).click();
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('status').getByText('Done.').waitFor();
    await page.getByRole('button', { name: 'Turn on' }).waitFor();
    tv.proc.child.kill('SIGKILL');
    await page.getByText(/^Offline/).waitFor({ timeout: 20_000 });
    // An old "Done." says nothing about a TV that has since gone away.
    expect(await page.locator('.note').textContent()).toBe('');
    await page.getByRole('link', { name: 'All devices' }).click();
    const card = page.getByRole('link', { name: /Living room TV.*Offline/ });
    expect(await contrastOf(card.getByText('Living room TV'))).toBeGreaterThanOrEqual(4.5);
    expect(await contrastOf(card.getByText('Off', { exact: true }))).toBeGreaterThanOrEqual(4.5);
    await card.click();
    const tapped = Date.now();
    await page.getByRole('button', { name: 'Mute' }).click();
    // Said at once (the hub does not wait on a device it knows is offline), with the day: a
    // setting stays deliverable for 24 h, so its expiry is never today's clock time alone.
    const queued = page.getByText(/Living room TV is offline\. It will do this when it is back/);
    await queued.waitFor({ timeout: 2000 });
    expect(Date.now() - tapped).toBeLessThan(500);
    expect(await queued.textContent()).toMatch(/\(until (Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*, .+\d\d.*\)/);
    await page.screenshot({ path: join(shots, 'offline.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'All devices' }).click();
    await page.getByRole('link', { name: /Living room TV.*Offline/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Hub' }).click();
    await page.getByRole('heading', { name: 'Hub' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('opened while the hub is down, it keeps retrying and is live by itself soon after the hub is back', async () => {
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: /Living room TV/ }).click();
    await t.stopHub();
    await page.reload(); // the service worker opens the shell; every call to the hub fails
    await page
      .getByRole('alert')
      .getByText(/Can’t reach the hub/)
      .waitFor();
    await page.getByText('Offline', { exact: true }).waitFor();
    await t.startHub();
    const back = Date.now();
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
    expect(Date.now() - back).toBeLessThan(5000);
    expect(await page.getByText(/Can’t reach the hub/).count()).toBe(0);
    await page.getByRole('heading', { name: 'Living room TV' }).waitFor();

    // A hub restart while the app stays open: the outcomes said before it are gone once it is back.
    await page.getByRole('link', { name: 'All devices' }).click();
    await page.getByRole('link', { name: /Cat feeder/ }).click();
    await page.getByRole('button', { name: 'Feed now…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').getByText('Done.').waitFor({ timeout: 10_000 });
    await t.stopHub();
    await page.getByText('Offline', { exact: true }).waitFor();
    await t.startHub();
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.note').textContent()).toBe('');
  });

  it('made no request to any host but the hub, asked for nothing missing, logged no script error', () => {
    expect(foreignRequests).toEqual([]);
    expect(notFound).toEqual([]);
    expect(scriptErrors).toEqual([]);
  });
});
