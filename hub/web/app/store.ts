// The app's state: devices with live state, each device's last command outcome, and whether the
// hub is reachable. Components subscribe with useStore(); nothing else holds state. The device
// list is kept in localStorage too, so an app opened while the hub is away shows the last known
// state instead of nothing.
import { useEffect, useState } from 'preact/hooks';
import type { Device } from './types.js';

export interface CommandNote {
  capability: string;
  state: 'pending' | 'done' | 'queued' | 'error';
  text: string;
  /** When it was said (ms): a state report right after "Done." is that command's own. */
  at: number;
}

export interface AppState {
  /** null until the hub has said whether this phone is paired (or the phone remembers it was). */
  paired: boolean | null;
  hubName: string;
  /** null while loading: "no devices" is only said once the hub has answered. */
  devices: Record<string, Device> | null;
  notes: Record<string, CommandNote>;
  connection: 'connecting' | 'live' | 'lost';
  /** Set on plain HTTP from the LAN: where the secure app is and the CA's fingerprint to compare. */
  trust: { https: string; fingerprint: string } | null;
}

const DEVICES_KEY = 'hearth.devices';

function remembered(): Record<string, Device> | null {
  try {
    const raw = localStorage.getItem(DEVICES_KEY);
    return raw ? (JSON.parse(raw) as Record<string, Device>) : null;
  } catch {
    return null;
  }
}

let state: AppState = {
  paired: null,
  hubName: 'Hearth',
  devices: remembered(),
  notes: {},
  connection: 'connecting',
  trust: null,
};
const listeners = new Set<() => void>();

export const getState = (): AppState => state;

export function set(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  if (patch.devices !== undefined) {
    try {
      if (patch.devices) localStorage.setItem(DEVICES_KEY, JSON.stringify(patch.devices));
      else localStorage.removeItem(DEVICES_KEY);
    } catch {
      // storage full or disabled: the app still works, it only opens emptier while the hub is away
    }
  }
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

export function patchDevice(id: string, patch: Partial<Device>): void {
  const d = state.devices?.[id];
  if (d) set({ devices: { ...state.devices, [id]: { ...d, ...patch } } });
}

export function putDevice(device: Device): void {
  set({ devices: { ...state.devices, [device.id]: device } });
}

export function dropDevice(id: string): void {
  const { [id]: _gone, ...rest } = state.devices ?? {};
  set({ devices: rest });
}

export function note(deviceId: string, n: Omit<CommandNote, 'at'> | null): void {
  const { [deviceId]: _old, ...rest } = state.notes;
  set({ notes: n ? { ...rest, [deviceId]: { ...n, at: Date.now() } } : rest });
}

/**
 * Outcomes are about a moment: they go once the device has moved on. `keep` says which notes
 * survive (a pending one always does: its answer is still coming).
 */
export function forgetNotes(keep: (n: CommandNote) => boolean, deviceId?: string): void {
  const notes = Object.fromEntries(
    Object.entries(state.notes).filter(
      ([id, n]) => n.state === 'pending' || (deviceId !== undefined && id !== deviceId) || keep(n),
    ),
  );
  if (Object.keys(notes).length !== Object.keys(state.notes).length) set({ notes });
}
