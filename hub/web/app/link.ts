// The app's link to the hub: whether this phone is paired, the device list and the live event
// stream, fetched in parallel at start. Nothing gives up: while the hub is unreachable each part
// retries with full-jitter backoff capped at 2.5 s (a LAN hub answers fast, so the app is live
// within seconds of the hub being back), and at once when the phone regains a network or the app
// comes back to the foreground. On plain HTTP from the LAN, where the hub serves only first
// contact, it asks nothing more than the hub check and leads to the trust step instead.
import { api, explain } from './api.js';
import { dropDevice, forgetNotes, getState, note, patchDevice, putDevice, set } from './store.js';
import type { Device } from './types.js';

const PAIRED_KEY = 'hearth.paired';
const MAX_DELAY_MS = 2500;
/** A report this soon after "Done." is taken to be that command's effect, not a later change. */
const SAME_COMMAND_MS = 1500;

interface Retry {
  attempt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  run: () => void;
}

function retry(run: () => void): Retry {
  return { attempt: 0, timer: undefined, run };
}

function later(r: Retry): void {
  clearTimeout(r.timer);
  r.attempt += 1;
  r.timer = setTimeout(r.run, Math.random() * Math.min(MAX_DELAY_MS, 200 * 2 ** r.attempt));
}

function now(r: Retry): void {
  if (r.timer === undefined) return;
  clearTimeout(r.timer);
  r.timer = undefined;
  r.run();
}

const hubCheck = retry(() => void checkHub());
const stream = retry(() => connectEvents());
let source: EventSource | undefined;
let reconnecting = false;

function rememberPaired(paired: boolean): void {
  try {
    if (paired) localStorage.setItem(PAIRED_KEY, '1');
    else localStorage.removeItem(PAIRED_KEY);
  } catch {
    // no storage: the app asks the hub first every time, which is only slower
  }
}

export async function loadDevices(): Promise<void> {
  const { devices } = await api<{ devices: Device[] }>('GET', '/api/v1/devices');
  set({ devices: Object.fromEntries(devices.map((d) => [d.id, d])) });
}

async function refreshDevice(id: string): Promise<void> {
  try {
    putDevice(await api<Device>('GET', `/api/v1/devices/${id}`));
  } catch (err) {
    if ((err as { status?: number }).status === 404) dropDevice(id);
  }
}

async function checkHub(): Promise<void> {
  clearTimeout(hubCheck.timer);
  hubCheck.timer = undefined;
  try {
    const hub = await api<{ name: string; session: unknown; httpsUrl: string | null; caFingerprint: string }>(
      'GET',
      '/api/v1/hub',
    );
    hubCheck.attempt = 0;
    // Plain HTTP on the LAN serves only pairing: pair here, then trust the CA and move to HTTPS.
    const trust = hub.httpsUrl ? { https: hub.httpsUrl, fingerprint: hub.caFingerprint } : null;
    // A phone that said it paired before (skipPairing) stays on the trust step.
    const skipped = trust !== null && getState().trust !== null && getState().paired === true;
    const paired = Boolean(hub.session) || skipped;
    rememberPaired(paired && !trust);
    set({ hubName: hub.name, paired, trust });
    if (!paired || trust) {
      source?.close();
      source = undefined;
      set({ devices: null, connection: 'connecting' });
    } else if (!source) {
      connectEvents();
      loadDevices().catch(() => undefined);
    }
  } catch {
    set({ connection: 'lost' });
    later(hubCheck);
  }
}

const data = <T>(e: Event) => JSON.parse((e as MessageEvent).data) as T;

/** Live updates over SSE; everything is reloaded on each (re)connect. */
function connectEvents(): void {
  clearTimeout(stream.timer);
  stream.timer = undefined;
  // Plain HTTP on the LAN: the stream answers only over HTTPS.
  if (getState().trust) return;
  source?.close();
  const es = new EventSource('/api/v1/events');
  source = es;
  es.addEventListener('hello', () => {
    stream.attempt = 0;
    // Back after a lost link (perhaps a hub restart): what was said before may no longer hold.
    if (reconnecting) forgetNotes((n) => n.state === 'queued');
    reconnecting = true;
    set({ connection: 'live' });
    if (getState().paired !== true) void checkHub();
    loadDevices().catch(() => undefined);
  });
  es.addEventListener('device.state', (e) => {
    const { deviceId, state: s } = data<{
      deviceId: string;
      state: { values: Record<string, unknown>; fault?: string };
    }>(e);
    const before = getState().devices?.[deviceId];
    const fault = s.fault ?? null;
    // A report that may change what has converged (a pending setting arrived, or the device
    // changed one itself): the hub's view of the twin says which.
    const desired = before?.desired ?? {};
    if (
      before &&
      (before.twin?.converged === false || Object.keys(desired).some((k) => desired[k] !== s.values[k]))
    )
      void refreshDevice(deviceId);
    if (before && (before.fault !== fault || JSON.stringify(before.reported) !== JSON.stringify(s.values))) {
      // The device moved on: a refusal is history, and so is a "Done." that is not this report's.
      const settled = Date.now() - SAME_COMMAND_MS;
      forgetNotes((n) => n.state === 'queued' || (n.state === 'done' && n.at > settled), deviceId);
    }
    patchDevice(deviceId, { reported: s.values, fault });
  });
  es.addEventListener('device.availability', (e) => {
    const { deviceId, online, at } = data<{ deviceId: string; online: boolean; at: number }>(e);
    if (getState().devices?.[deviceId]?.online !== online) forgetNotes((n) => n.state === 'queued', deviceId);
    patchDevice(deviceId, { online, lastSeenAt: at });
  });
  for (const name of ['device.info', 'device.added', 'device.updated']) {
    es.addEventListener(name, (e) => void refreshDevice(data<{ deviceId: string }>(e).deviceId));
  }
  es.addEventListener('device.removed', (e) => dropDevice(data<{ deviceId: string }>(e).deviceId));
  es.addEventListener('command.updated', (e) => {
    const u = data<{
      deviceId: string;
      capability: string;
      status: string;
      error?: { code: string; message: string };
    }>(e);
    if (u.status !== 'pending' && u.status !== 'sent') void refreshDevice(u.deviceId);
    const current = getState().notes[u.deviceId];
    if (!current || current.capability !== u.capability || current.state === 'pending') return;
    if (u.status === 'done') note(u.deviceId, { capability: u.capability, state: 'done', text: 'Done.' });
    if (u.status === 'failed' || u.status === 'expired')
      note(u.deviceId, { capability: u.capability, state: 'error', text: explain(u.error) });
  });
  es.onerror = () => {
    es.close();
    if (source !== es) return;
    source = undefined;
    if (getState().paired === false || getState().trust) return;
    set({ connection: 'lost' });
    // A stream refused for a revoked token looks like any error: ask the hub what it is.
    if (hubCheck.timer === undefined) void checkHub();
    later(stream);
  };
}

/** Starts everything at once: the hub check, and for a phone that was paired, the list and stream. */
export function startLink(): void {
  // The page says whether the hub saw a live session with it; a page from the service worker's
  // cache (hub away) says what it said then, and the phone's own memory fills in.
  let known = document.documentElement.dataset.session === 'app';
  try {
    known ||= localStorage.getItem(PAIRED_KEY) === '1';
  } catch {
    // no storage: the page's word alone
  }
  if (known) {
    set({ paired: true });
    connectEvents();
    loadDevices().catch(() => undefined);
  }
  void checkHub();
  const wake = () => {
    if (getState().connection === 'live') return;
    now(hubCheck);
    now(stream);
  };
  addEventListener('online', wake);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wake();
  });
}

export async function pair(code: string): Promise<void> {
  await api('POST', '/api/v1/pair', {
    code,
    name: navigator.userAgent.includes('Mobile') ? 'phone' : 'browser',
  });
  set({ paired: true });
  if (getState().trust) return;
  rememberPaired(true);
  connectEvents();
}

/** On the plain-HTTP first-contact page: this phone paired before, go on to the trust step. */
export function skipPairing(): void {
  set({ paired: true });
}
