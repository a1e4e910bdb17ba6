// Bench probe for "schedules: 1000 due in one second": a real hub in its own process, as
// it runs in production (its V8 flags, temp data dir, real aedes and SQLite), `devices` simulated
// lights connected over MQTT that ack every command, and `schedules` hub-run schedules all due in
// the same second. Reports how late each command was handed to the command path (the run log's
// `late`) and how late it reached its device (device receipt minus the scheduled instant; same
// machine clock), plus doubles and misses.
import mqtt, { type MqttClient } from 'mqtt';
import { startHubProcess } from '../../hub/drills/hub-process.js';

export interface LatenessFigures {
  schedules: number;
  issued: { p50: number; p99: number; max: number };
  delivered: { p50: number; p99: number; max: number };
  /** Occurrences performed more than once (commands received twice for one occurrence). */
  doubles: number;
  /** Schedules with no run in the log. */
  missed: number;
}

export interface LatenessOptions {
  schedules?: number;
  devices?: number;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
  return { p50: at(50), p99: at(99), max: s.at(-1) ?? Number.NaN };
}

export async function measureScheduleLateness(options: LatenessOptions = {}): Promise<LatenessFigures> {
  const count = options.schedules ?? 1000;
  const deviceCount = options.devices ?? 50;
  const hub = await startHubProcess();
  const clients: MqttClient[] = [];
  try {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(hub.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };

    const received = new Map<string, number>();
    let duplicates = 0;
    const ids: string[] = [];
    for (let i = 0; i < deviceCount; i++) {
      const { device, secret } = (await api('POST', '/api/v1/devices', {
        name: `bench ${i}`,
        model: 'light',
        id: `bench-light-${i}`,
      })) as { device: { id: string }; secret: string };
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
        clientId: device.id,
        username: device.id,
        password: secret,
        reconnectPeriod: 0,
      });
      clients.push(client);
      client.on('message', (_topic, payload) => {
        const at = Date.now();
        const cmd = JSON.parse(payload.toString()) as { id: string };
        if (received.has(cmd.id)) duplicates += 1;
        else received.set(cmd.id, at);
        client.publish(`hearth/dev/${device.id}/ack`, JSON.stringify({ id: cmd.id, ok: true }), { qos: 1 });
      });
      await client.subscribeAsync(`hearth/dev/${device.id}/cmd`, { qos: 1 });
      await client.publishAsync(`hearth/dev/${device.id}/status`, 'online', { retain: true, qos: 1 });
      ids.push(device.id);
    }
    const waitUntil = async (cond: () => boolean | Promise<boolean>, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      while (!(await cond())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitUntil(
      async () => {
        const { devices } = (await api('GET', '/api/v1/devices')) as { devices: Array<{ online: boolean }> };
        return devices.filter((d) => d.online).length >= deviceCount;
      },
      10_000,
      'devices online',
    );

    // All due at one whole second, far enough ahead to create them first.
    const due = Math.ceil((Date.now() + 4000 + count * 3) / 1000) * 1000;
    const d = new Date(due);
    const cron = `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`;
    for (let i = 0; i < count; i++) {
      await api('POST', '/api/v1/schedules', {
        deviceId: ids[i % ids.length],
        command: { capability: 'power', value: i % 2 === 0 },
        cron,
        tz: 'UTC',
      });
    }
    if (Date.now() >= due - 200) throw new Error('creating the schedules took longer than planned');
    await waitUntil(() => received.size >= count || Date.now() > due + 10_000, 20_000, 'commands');
    await new Promise((r) => setTimeout(r, 300)); // late duplicates, if any, would show up here
    const { runs } = (await api('GET', `/api/v1/schedule-runs?limit=${count}`)) as {
      runs: Array<{ late: number | null; commandId: string | null; scheduledAt: number; status: string }>;
    };
    const fired = runs.filter((r) => r.scheduledAt === due && r.status !== 'missed');
    const delivered = fired.flatMap((r) => {
      const at = r.commandId ? received.get(r.commandId) : undefined;
      return at === undefined ? [] : [at - due];
    });
    return {
      schedules: count,
      issued: stats(fired.map((r) => r.late ?? Number.NaN)),
      delivered: stats(delivered),
      doubles: duplicates,
      missed: count - fired.length,
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await hub.cleanup();
  }
}
