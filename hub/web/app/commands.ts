// Sends a command and keeps the device's note up to date: pending → done, queued (with when it
// gives up) or the error in words.
import { api, explain } from './api.js';
import { note } from './store.js';
import type { CommandRecord, Device } from './types.js';

/** "22:49", or "Thu 3 Dec, 22:49" when it is not today. */
export function whenText(at: number, now = Date.now()): string {
  const d = new Date(at);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === new Date(now).toDateString()) return time;
  return `${d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })}, ${time}`;
}

export async function sendCommand(
  device: Device,
  capability: string,
  body: { value?: unknown; params?: Record<string, number> },
): Promise<void> {
  note(device.id, { capability, state: 'pending', text: 'Sending…' });
  try {
    const r = await api<CommandRecord>('POST', `/api/v1/devices/${device.id}/commands?wait=5000`, {
      capability,
      ...body,
    });
    if (r.status === 'done') note(device.id, { capability, state: 'done', text: 'Done.' });
    else
      note(device.id, {
        capability,
        state: 'queued',
        text: `${device.name} is offline. It will do this when it is back (until ${whenText(r.expiresAt)}).`,
      });
  } catch (err) {
    note(device.id, { capability, state: 'error', text: explain(err) });
  }
}
