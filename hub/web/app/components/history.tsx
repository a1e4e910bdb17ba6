// A device's history: its numeric states over 24 hours or 7 days as small charts, and a timeline
// of what it was asked to do and what its schedules did (fed 2 portions at 07:30 by schedule,
// refused: jammed, …), from the hub's state history, command log and run log.
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from '../api.js';
import { whenText } from '../commands.js';
import { commandText } from '../schedule-text.js';
import type { CommandRecord, Device, ScheduleRun } from '../types.js';
import { Chart, type Series } from './chart.js';

const RANGES = { day: 24 * 3600_000, week: 7 * 24 * 3600_000 } as const;

interface Row {
  at: number;
  values: Record<string, unknown>;
}

type Logged = CommandRecord;

function charts(device: Device, rows: Row[], now: number) {
  const oldestFirst = [...rows].sort((a, b) => a.at - b.at);
  const numeric = device.capabilities.filter(
    (c) => (c.type === 'integer' || c.type === 'number') && c.kind !== 'action' && c.name !== 'channel',
  );
  const byUnit = new Map<string, Series[]>();
  for (const c of numeric) {
    const points = oldestFirst
      .filter((r) => typeof r.values[c.name] === 'number')
      .map((r): [number, number] => [r.at, r.values[c.name] as number]);
    const current = device.reported[c.name];
    if (typeof current === 'number' && points.length > 0) points.push([now, current]);
    if (points.length === 0) continue;
    const unit = c.unit ?? '';
    byUnit.set(unit, [...(byUnit.get(unit) ?? []), { label: c.label, points }]);
  }
  return [...byUnit];
}

function outcome(c: Logged): string {
  if (c.status === 'done') return 'done';
  if (c.status === 'failed') return `refused: ${c.error?.message ?? 'the device said no'}`;
  if (c.status === 'expired') return 'expired before the device was back';
  return 'waiting for the device';
}

export function History({ device }: { device: Device }) {
  const [range, setRange] = useState<keyof typeof RANGES>('day');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [commands, setCommands] = useState<Logged[]>([]);
  const [runs, setRuns] = useState<ScheduleRun[]>([]);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const at = Date.now();
    setNow(at);
    setRows(null);
    const since = at - RANGES[range];
    Promise.all([
      api<{ history: Row[] }>('GET', `/api/v1/devices/${device.id}/history?since=${since}&limit=1000`),
      api<{ commands: Logged[] }>('GET', `/api/v1/devices/${device.id}/commands?limit=50`),
      api<{ runs: ScheduleRun[] }>('GET', `/api/v1/schedule-runs?deviceId=${device.id}&limit=50`),
    ]).then(
      ([h, c, r]) => {
        setRows(h.history);
        setCommands(c.commands.filter((x) => x.issuedAt >= since));
        setRuns(r.runs.filter((x) => Number(x.scheduledAt) >= since));
      },
      (err) => {
        setRows([]);
        setError(explain(err));
      },
    );
  }, [device.id, range]);

  const timeline = [
    ...commands
      .filter((c) => !c.source.startsWith('schedule:'))
      .map((c) => ({ at: c.issuedAt, text: `${commandText(c, device)} — ${outcome(c)}` })),
    ...runs.map((r) => {
      const c = commands.find((x) => x.id === r.commandId);
      const what = c ? `${commandText(c, device)} by schedule — ${outcome(c)}` : 'By schedule';
      const status = String(r.status);
      const how = c ? '' : `: ${status === 'ok' ? 'ran' : status}`;
      return {
        at: Number(r.ranAt ?? r.scheduledAt),
        text: `${what}${how}${r.reason ? ` (${String(r.reason)})` : ''}`,
      };
    }),
  ].sort((a, b) => b.at - a.at);

  return (
    <section aria-labelledby="history-title">
      <a href={`#/device/${device.id}`} class="back">
        ← {device.name}
      </a>
      <h1 id="history-title">History: {device.name}</h1>
      <fieldset class="segmented" aria-label="Period">
        <button type="button" aria-pressed={range === 'day'} onClick={() => setRange('day')}>
          24 hours
        </button>
        <button type="button" aria-pressed={range === 'week'} onClick={() => setRange('week')}>
          7 days
        </button>
      </fieldset>
      {rows === null ? <p class="muted">Loading history…</p> : null}
      {rows !== null && charts(device, rows, now).length === 0 ? (
        <p class="muted">No readings in this period.</p>
      ) : null}
      {rows !== null
        ? charts(device, rows, now).map(([unit, series]) => (
            <Chart
              title={series.map((s) => s.label).join(' and ')}
              unit={unit}
              series={series}
              from={now - RANGES[range]}
              to={now}
              fromLabel={range === 'day' ? '24 h ago' : '7 days ago'}
            />
          ))
        : null}
      <h2>What happened</h2>
      {timeline.length === 0 ? (
        <p class="muted">Nothing in this period.</p>
      ) : (
        <ol class="timeline">
          {timeline.map((e) => (
            <li>
              <time dateTime={new Date(e.at).toISOString()}>{whenText(e.at)}</time> {e.text}
            </li>
          ))}
        </ol>
      )}
      <p role="alert" class="error">
        {error}
      </p>
    </section>
  );
}
