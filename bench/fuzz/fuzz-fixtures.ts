// What the fuzz hub is seeded with before the first input: registered devices, a responder that
// acknowledges every command, and a real schedule and command whose ids inputs can name.
import type { MqttClient } from 'mqtt';
import { light } from '../../devices/models/light.js';

export interface FuzzDevice {
  id: string;
  secret: string;
}

/** Cron expressions that cannot fire during a run (New Year's Day, 29 February). */
export const SETUP_CRON = '0 3 1 1 *';
export const QUIET_CRONS = [SETUP_CRON, '15 4 29 2 *'];

/** POSTs as the admin; an answer other than `expect` (else any 2xx) fails the setup with `what`. */
export function adminPost(baseUrl: string, adminToken: string) {
  return async <T>(path: string, body: unknown, what: string, expect?: number): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (expect !== undefined ? res.status !== expect : !res.ok)
      throw new Error(`${what} ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

export async function registerDevice(post: ReturnType<typeof adminPost>, name: string): Promise<FuzzDevice> {
  const body = await post<{ device: { id: string }; secret: string }>(
    '/api/v1/devices',
    { name, model: 'light' },
    `registering ${name}: HTTP`,
    201,
  );
  return { id: body.device.id, secret: body.secret };
}

/** Makes `client` a light that acknowledges every command it is sent. */
export async function startResponder(client: MqttClient, responder: FuzzDevice): Promise<void> {
  client.on('message', (_topic, payload) => {
    const { id } = JSON.parse(payload.toString()) as { id: string };
    client.publish(`hearth/dev/${responder.id}/ack`, JSON.stringify({ id, ok: true }), { qos: 1 });
  });
  await client.publishAsync(
    `hearth/dev/${responder.id}/info`,
    JSON.stringify({ model: light.model, firmware: light.firmware, capabilities: light.capabilities }),
    { qos: 1, retain: true },
  );
  await client.subscribeAsync(`hearth/dev/${responder.id}/cmd`, { qos: 1 });
}

/** A real schedule and command, so path parameters sometimes name something that exists. */
export async function seedKnown(post: ReturnType<typeof adminPost>, responderId: string) {
  const what = (path: string) => `fuzz setup: POST ${path} answered`;
  // New Year's Day at 03:00 UTC: a real schedule that will not fire during a run.
  const schedulePath = '/api/v1/schedules';
  const schedule = await post<{ id: string }>(
    schedulePath,
    { deviceId: responderId, cron: SETUP_CRON, tz: 'UTC', command: { capability: 'power', value: true } },
    what(schedulePath),
  );
  const commandPath = `/api/v1/devices/${responderId}/commands`;
  const command = await post<{ id: string }>(
    commandPath,
    { capability: 'power', value: false },
    what(commandPath),
  );
  return { scheduleId: schedule.id, commandId: command.id };
}
