// The feeder: feed now (with portions, confirmed), hopper level, next feeds and the last runs.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { Device, Schedule, ScheduleRun } from '../types.js';
import { Control } from './controls.js';

export function FeederPanel({ device }: { device: Device }) {
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [runs, setRuns] = useState<ScheduleRun[]>([]);
  useEffect(() => {
    api<{ schedules: Schedule[] }>('GET', `/api/v1/schedules?deviceId=${device.id}`)
      .then((r) => setSchedules(r.schedules))
      .catch(() => setSchedules([]));
    api<{ runs: ScheduleRun[] }>('GET', `/api/v1/schedule-runs?deviceId=${device.id}&limit=5`)
      .then((r) => setRuns(r.runs))
      .catch(() => setRuns([]));
  }, [device.id]);
  const upcoming = (schedules ?? [])
    .filter((s) => s.enabled && s.nextRunAt)
    .sort((a, b) => (a.nextRunAt ?? 0) - (b.nextRunAt ?? 0));
  return (
    <section aria-label={`${device.name} feeder`}>
      {device.capabilities
        .filter((c) => c.name === 'feed' || c.name === 'hopper')
        .map((d) => (
          <Control device={device} d={d} />
        ))}
      <h2>Next feeds</h2>
      {upcoming.length === 0 ? (
        <p class="muted">No feeds scheduled.</p>
      ) : (
        <ul>
          {upcoming.slice(0, 3).map((s) => (
            <li>
              {new Date(s.nextRunAt as number).toLocaleString([], {
                weekday: 'short',
                hour: '2-digit',
                minute: '2-digit',
              })}{' '}
              — {s.command.params?.portions ?? 1} portion(s) {s.name ? `(${s.name})` : ''}
            </li>
          ))}
        </ul>
      )}
      <h2>Last runs</h2>
      {runs.length === 0 ? (
        <p class="muted">No runs yet.</p>
      ) : (
        <ul>
          {runs.map((r) => (
            <li>
              {new Date(Number(r.scheduledAt)).toLocaleString([], {
                weekday: 'short',
                hour: '2-digit',
                minute: '2-digit',
              })}{' '}
              — {String(r.status)}
              {r.reason ? ` (${String(r.reason)})` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
