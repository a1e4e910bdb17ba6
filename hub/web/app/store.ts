// The app's state: devices with live state (from SSE), each device's last command status, and
// whether the hub is reachable. Components subscribe with useStore(); nothing else holds state.
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from './api.js';
import type { CommandRecord, Device } from './types.js';

export interface CommandNote {
  capability: string;
  state: 'pending' | 'done' | 'queued' | 'error';
  text: string;
}

export interface AppState {
  paired: boolean | null;
  hubName: string;
  devices: Record<string, Device>;
  notes: Record<string, CommandNote>;
  connection: 'connecting' | 'live' | 'lost';
}

let state: AppState = { paired: null, hubName: 'Hearth', devices: {}, notes: {}, connection: 'connecting' };
const listeners = new Set<() => void>();

function set(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function useStore(): AppState {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return state;
}

export async function loadDevices(): Promise<void> {
  const { devices } = await api<{ devices: Device[] }>('GET', '/api/v1/devices');
  set({ devices: Object.fromEntries(devices.map((d) => [d.id, d])) });
}

async function refreshDevice(id: string): Promise<void> {
  try {
    const d = await api<Device>('GET', `/api/v1/devices/${id}`);
    set({ devices: { ...state.devices, [id]: d } });
  } catch {
    const { [id]: _gone, ...rest } = state.devices;
    set({ devices: rest });
  }
}

function patchDevice(id: string, patch: Partial<Device>): void {
  const d = state.devices[id];
  if (d) set({ devices: { ...state.devices, [id]: { ...d, ...patch } } });
}

function note(deviceId: string, n: CommandNote): void {
  set({ notes: { ...state.notes, [deviceId]: n } });
}

/** Sends a command and keeps its note up to date: pending → done, queued or the error in words. */
export async function sendCommand(
  device: Device,
  capability: string,
  body: { value?: unknown; params?: Record<string, number> },
) {
  note(device.id, { capability, state: 'pending', text: 'Sending…' });
  try {
    const r = await api<CommandRecord>('POST', `/api/v1/devices/${device.id}/commands?wait=5000`, {
      capability,
      ...body,
    });
    if (r.status === 'done') note(device.id, { capability, state: 'done', text: 'Done.' });
    else {
      const until = new Date(r.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      note(device.id, {
        capability,
        state: 'queued',
        text: `${device.name} is offline. It will do this when it is back (until ${until}).`,
      });
    }
  } catch (err) {
    note(device.id, { capability, state: 'error', text: explain(err) });
  }
}

let source: EventSource | undefined;
let retry = 0;

/** Live updates over SSE, reconnecting with full-jitter backoff; reloads everything on reconnect. */
export function connectEvents(): void {
  source?.close();
  source = new EventSource('/api/v1/events');
  source.addEventListener('hello', () => {
    retry = 0;
    set({ connection: 'live' });
    loadDevices().catch(() => undefined);
  });
  source.addEventListener('device.state', (e) => {
    const { deviceId, state: s } = JSON.parse((e as MessageEvent).data) as {
      deviceId: string;
      state: { values: Record<string, unknown>; fault?: string };
    };
    const before = state.devices[deviceId];
    patchDevice(deviceId, { reported: s.values, fault: s.fault ?? null });
    // A report that may change what has converged (a pending setting arrived, or the device
    // changed one itself): the hub's view of the twin says which.
    const desired = before?.desired ?? {};
    if (
      before &&
      (before.twin?.converged === false || Object.keys(desired).some((k) => desired[k] !== s.values[k]))
    )
      void refreshDevice(deviceId);
  });
  source.addEventListener('device.availability', (e) => {
    const { deviceId, online, at } = JSON.parse((e as MessageEvent).data) as {
      deviceId: string;
      online: boolean;
      at: number;
    };
    patchDevice(deviceId, { online, lastSeenAt: at });
  });
  for (const name of ['device.info', 'device.added', 'device.updated']) {
    source.addEventListener(name, (e) =>
      refreshDevice((JSON.parse((e as MessageEvent).data) as { deviceId: string }).deviceId),
    );
  }
  source.addEventListener('device.removed', (e) => {
    const { deviceId } = JSON.parse((e as MessageEvent).data) as { deviceId: string };
    const { [deviceId]: _gone, ...rest } = state.devices;
    set({ devices: rest });
  });
  source.addEventListener('command.updated', (e) => {
    const u = JSON.parse((e as MessageEvent).data) as {
      deviceId: string;
      capability: string;
      status: string;
      error?: { code: string; message: string };
    };
    if (u.status !== 'pending' && u.status !== 'sent') void refreshDevice(u.deviceId);
    const current = state.notes[u.deviceId];
    if (!current || current.capability !== u.capability || current.state === 'pending') return;
    if (u.status === 'done') note(u.deviceId, { capability: u.capability, state: 'done', text: 'Done.' });
    if (u.status === 'failed' || u.status === 'expired')
      note(u.deviceId, { capability: u.capability, state: 'error', text: explain(u.error) });
  });
  source.onerror = () => {
    source?.close();
    set({ connection: 'lost' });
    retry += 1;
    const delay = Math.random() * Math.min(30_000, 500 * 2 ** retry);
    setTimeout(connectEvents, delay);
  };
}

export async function checkSession(): Promise<void> {
  try {
    const hub = await api<{ name: string }>('GET', '/api/v1/hub');
    set({ hubName: hub.name });
    await api('GET', '/api/v1/session');
    set({ paired: true });
  } catch (err) {
    if ((err as { status?: number }).status === 401) set({ paired: false });
    else set({ connection: 'lost', paired: state.paired });
  }
}

export async function pair(code: string): Promise<void> {
  await api('POST', '/api/v1/pair', {
    code,
    name: navigator.userAgent.includes('Mobile') ? 'phone' : 'browser',
  });
  set({ paired: true });
}
