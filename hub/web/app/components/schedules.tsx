// Schedules: what is planned, and a small editor (daily time or one-off, time zone, command).
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from '../api.js';
import type { Device, Schedule } from '../types.js';

const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function commandText(s: Schedule, devices: Record<string, Device>): string {
  const name = devices[s.deviceId]?.name ?? s.deviceId;
  const c = s.command;
  const what = c.params
    ? `${c.capability} ${Object.values(c.params).join(' ')}`
    : `${c.capability} → ${String(c.value)}`;
  return `${name}: ${what}`;
}

export function Schedules({ devices }: { devices: Record<string, Device> }) {
  const [list, setList] = useState<Schedule[]>([]);
  const [message, setMessage] = useState('');
  const load = () =>
    api<{ schedules: Schedule[] }>('GET', '/api/v1/schedules').then((r) => setList(r.schedules));
  useEffect(() => {
    load().catch((err) => setMessage(explain(err)));
  }, []);
  const targets = Object.values(devices).filter((d) =>
    d.capabilities.some((c) => c.kind === 'action' || c.kind === 'setting'),
  );
  const [deviceId, setDeviceId] = useState('');
  const [time, setTime] = useState('18:00');
  const [zone, setZone] = useState(localZone);
  const target = devices[deviceId] ?? targets[0];
  const commands = target?.capabilities.filter((c) => c.kind === 'action' || c.type === 'boolean') ?? [];
  const [capability, setCapability] = useState('');
  const cap = commands.find((c) => c.name === capability) ?? commands[0];

  const create = async (e: Event) => {
    e.preventDefault();
    if (!target || !cap) return;
    const [h, m] = time.split(':');
    const command =
      cap.kind === 'action'
        ? { capability: cap.name, params: { portions: 1 } }
        : { capability: cap.name, value: true };
    try {
      await api('POST', '/api/v1/schedules', {
        deviceId: target.id,
        command,
        cron: `${Number(m)} ${Number(h)} * * *`,
        tz: zone,
      });
      setMessage(`Scheduled daily at ${time} (${zone}).`);
      await load();
    } catch (err) {
      setMessage(explain(err));
    }
  };
  const remove = async (id: string) => {
    try {
      await api('DELETE', `/api/v1/schedules/${id}`);
      await load();
    } catch (err) {
      setMessage(explain(err));
    }
  };

  return (
    <section aria-labelledby="schedules-title">
      <h1 id="schedules-title">Schedules</h1>
      <p class="muted">Feeders keep their own schedules, so the cat is fed even when the hub is down.</p>
      <ul class="list">
        {list.map((s) => (
          <li>
            <span>
              <strong>
                {s.cron ? `Daily ${s.cron}` : `Once ${new Date(s.at as number).toLocaleString()}`}
              </strong>{' '}
              · {commandText(s, devices)} · {s.tz}
              {s.nextRunAt
                ? ` · next ${new Date(s.nextRunAt).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}`
                : ''}
            </span>
            <button type="button" aria-label={`Delete schedule ${s.id}`} onClick={() => remove(s.id)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={create} class="editor" aria-label="New schedule">
        <h2>New schedule</h2>
        <label>
          Device
          <select
            value={target?.id ?? ''}
            onChange={(e) => setDeviceId((e.target as HTMLSelectElement).value)}
          >
            {targets.map((d) => (
              <option value={d.id}>{d.name}</option>
            ))}
          </select>
        </label>
        <label>
          Do
          <select
            value={cap?.name ?? ''}
            onChange={(e) => setCapability((e.target as HTMLSelectElement).value)}
          >
            {commands.map((c) => (
              <option value={c.name}>
                {c.kind === 'action' ? `${c.label} (1 portion)` : `${c.label} on`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Every day at
          <input
            type="time"
            value={time}
            required
            onInput={(e) => setTime((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Time zone
          <input value={zone} required onInput={(e) => setZone((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" disabled={!target || !cap}>
          Add schedule
        </button>
        <p role="status" aria-live="polite">
          {message}
        </p>
      </form>
    </section>
  );
}
