// Schedules: what is planned, in words, each with edit, pause and delete (after a confirmation),
// and the editor for a new one. Feeders keep theirs on the device.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, explain } from '../api.js';
import { whenText } from '../commands.js';
import { commandText, timingText } from '../schedule-text.js';
import type { Device, Schedule } from '../types.js';
import { ScheduleEditor } from './schedule-editor.js';

const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** One schedule in words, with its edit, pause and delete buttons. */
function ScheduleItem(p: {
  s: Schedule;
  device: Device | undefined;
  title: string;
  onEdit: () => void;
  onToggle: () => void;
  onDelete: () => void;
}) {
  const { s } = p;
  return (
    <li class={s.enabled ? '' : 'paused'}>
      <div>
        <strong>{timingText(s)}</strong>
        {s.tz !== localZone ? <span class="muted"> ({s.tz.replace(/_/g, ' ')})</span> : null}
        <br />
        {commandText(s.command, p.device)} · {p.device?.name ?? s.deviceId}
        <br />
        <span class="muted">
          {!s.enabled
            ? 'Paused'
            : s.at !== null
              ? s.nextRunAt
                ? 'Waiting'
                : 'Done'
              : s.nextRunAt
                ? `Next: ${whenText(s.nextRunAt)}`
                : 'Not due again'}
          {s.catchUp.policy !== 'skip' ? ' · catches up if missed' : ''}
        </span>
      </div>
      <div class="item-actions">
        <button type="button" aria-label={`Edit: ${p.title}`} onClick={p.onEdit}>
          Edit
        </button>
        <button
          type="button"
          aria-label={`${s.enabled ? 'Pause' : 'Resume'}: ${p.title}`}
          onClick={p.onToggle}
        >
          {s.enabled ? 'Pause' : 'Resume'}
        </button>
        <button type="button" aria-label={`Delete: ${p.title}`} onClick={p.onDelete}>
          Delete
        </button>
      </div>
    </li>
  );
}

export function Schedules({ devices }: { devices: Record<string, Device> }) {
  const [list, setList] = useState<Schedule[] | null>(null);
  const [message, setMessage] = useState('');
  const [editing, setEditing] = useState<Schedule | null>(null);
  const [doomed, setDoomed] = useState<Schedule | null>(null);
  const [editorKey, setEditorKey] = useState(0);
  const dialog = useRef<HTMLDialogElement>(null);
  const load = () =>
    api<{ schedules: Schedule[] }>('GET', '/api/v1/schedules').then((r) => setList(r.schedules));
  useEffect(() => {
    load().catch((err) => {
      setList([]);
      setMessage(explain(err));
    });
  }, []);
  const act = async (done: string, call: () => Promise<unknown>) => {
    setMessage('');
    try {
      await call();
      setMessage(done);
      await load();
    } catch (err) {
      setMessage(explain(err));
    }
  };
  const title = (s: Schedule) =>
    `${timingText(s)}: ${commandText(s.command, devices[s.deviceId])}, ${devices[s.deviceId]?.name ?? s.deviceId}`;

  return (
    <section aria-labelledby="schedules-title">
      <h1 id="schedules-title">Schedules</h1>
      <p class="muted">Feeders keep their own schedules, so the cat is fed even when the hub is down.</p>
      {list === null ? <p class="muted">Loading schedules…</p> : null}
      {list?.length === 0 ? <p class="muted">Nothing scheduled yet.</p> : null}
      <ul class="list schedules">
        {(list ?? []).map((s) => (
          <ScheduleItem
            s={s}
            device={devices[s.deviceId]}
            title={title(s)}
            onEdit={() => {
              setMessage('');
              setEditing(s);
            }}
            onToggle={() =>
              act(s.enabled ? 'Paused.' : 'Resumed.', () =>
                api('PATCH', `/api/v1/schedules/${s.id}`, { enabled: !s.enabled }),
              )
            }
            onDelete={() => {
              setMessage('');
              setDoomed(s);
              dialog.current?.showModal();
            }}
          />
        ))}
      </ul>
      <p role="status" aria-live="polite" class="note">
        {message}
      </p>
      <dialog ref={dialog} aria-labelledby="delete-title">
        <form
          method="dialog"
          onSubmit={(e) => {
            const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
            const s = doomed;
            setDoomed(null);
            if (submitter?.value === 'ok' && s)
              void act('Schedule deleted.', () => api('DELETE', `/api/v1/schedules/${s.id}`));
          }}
        >
          <h2 id="delete-title">Delete this schedule?</h2>
          <p>{doomed ? title(doomed) : ''}</p>
          <div class="actions">
            <button value="cancel" type="submit">
              Keep it
            </button>
            <button value="ok" type="submit" class="primary">
              Delete
            </button>
          </div>
        </form>
      </dialog>
      <ScheduleEditor
        key={editing ? `edit-${editing.id}` : `new-${editorKey}`}
        devices={devices}
        editing={editing}
        onDone={(done) => {
          setEditing(null);
          setEditorKey((k) => k + 1);
          setMessage(done);
          void load();
        }}
        onCancel={() => setEditing(null)}
      />
    </section>
  );
}
