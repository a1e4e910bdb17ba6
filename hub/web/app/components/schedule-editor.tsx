// The schedule editor, for a new schedule or an existing one: what to do (feed n portions, turn
// on or off), when (every day, weekdays, weekends, once, at sunrise or sunset with an offset), the
// time zone, and whether a run missed while the hub was off is made up for.
import { cloneElement } from 'preact';
import { useState } from 'preact/hooks';
import { api, explain } from '../api.js';
import { DAY_SETS, type DaySet, parseCron } from '../schedule-text.js';
import type { Device, Schedule } from '../types.js';
import { instantToWallTime, timeZones, wallTimeToInstant } from '../zones.js';

const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
type When = DaySet | 'once' | 'sunrise' | 'sunset';

interface Choice {
  key: string;
  text: string;
  capability: string;
  value?: boolean;
  action?: boolean;
}

function choicesFor(device: Device | undefined): Choice[] {
  return (device?.capabilities ?? []).flatMap((c): Choice[] => {
    if (c.kind === 'action') return [{ key: c.name, text: c.label, capability: c.name, action: true }];
    if (c.kind !== 'setting' || c.type !== 'boolean') return [];
    const [on, off] = c.name === 'power' ? ['Turn on', 'Turn off'] : [`${c.label} on`, `${c.label} off`];
    return [
      { key: `${c.name}:on`, text: on, capability: c.name, value: true },
      { key: `${c.name}:off`, text: off, capability: c.name, value: false },
    ];
  });
}

function initialWhen(s: Schedule | null): { when: When; time: string } {
  if (s?.sun) return { when: s.sun.event, time: '18:00' };
  if (s?.at != null) return { when: 'once', time: '18:00' };
  const c = s?.cron ? parseCron(s.cron) : null;
  const set = (Object.keys(DAY_SETS) as DaySet[]).find((k) => DAY_SETS[k] === c?.days);
  return { when: set ?? 'daily', time: c?.time ?? '18:00' };
}

// A label beside its control, not around it: a wrapped select's name would include its value.
function field(label: string, control: preact.VNode<{ id?: string }>) {
  const id = `sched-${label.split(' ')[0]?.toLowerCase()}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {cloneElement(control, { id })}
    </div>
  );
}

const value = (ev: Event) => (ev.target as HTMLInputElement).value;

/** When it runs: a day set and a time, a date and time, or sunrise/sunset with an offset. */
function WhenFields(p: {
  when: When;
  setWhen: (w: When) => void;
  time: string;
  setTime: (t: string) => void;
  onceAt: string;
  setOnceAt: (t: string) => void;
  offset: number;
  setOffset: (n: number) => void;
}) {
  const { when, time, onceAt, offset, setWhen, setTime, setOnceAt, setOffset } = p;
  return (
    <>
      {field(
        'When',
        <select value={when} onChange={(ev) => setWhen(value(ev) as When)}>
          <option value="daily">Every day</option>
          <option value="weekdays">Weekdays (Mon–Fri)</option>
          <option value="weekends">Weekends</option>
          <option value="once">Once</option>
          <option value="sunrise">At sunrise</option>
          <option value="sunset">At sunset</option>
        </select>,
      )}
      {when === 'once'
        ? field(
            'Date and time',
            <input type="datetime-local" required value={onceAt} onInput={(ev) => setOnceAt(value(ev))} />,
          )
        : when === 'sunrise' || when === 'sunset'
          ? field(
              `Minutes after ${when} (negative: before)`,
              <input
                type="number"
                min={-720}
                max={720}
                step={5}
                value={offset}
                onInput={(ev) => setOffset(Number(value(ev)))}
              />,
            )
          : field('At', <input type="time" required value={time} onInput={(ev) => setTime(value(ev))} />)}
    </>
  );
}

/** The hub's timing fields for what the editor shows. */
function timingOf(when: When, time: string, onceAt: string, zone: string, offset: number) {
  if (when === 'once') return { at: wallTimeToInstant(onceAt, zone) };
  if (when === 'sunrise' || when === 'sunset') return { sun: { event: when, offsetMinutes: offset } };
  const [h, m] = time.split(':');
  return { cron: `${Number(m)} ${Number(h)} * * ${DAY_SETS[when]}` };
}

/** Whether a run missed while the hub was off is made up for, and how late it may be. */
function CatchUpFields(p: {
  on: boolean;
  setOn: (on: boolean) => void;
  within: number;
  setWithin: (n: number) => void;
}) {
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          checked={p.on}
          onChange={(ev) => p.setOn((ev.target as HTMLInputElement).checked)}
        />
        If the hub was off at that time, do it once when back
      </label>
      {p.on
        ? field(
            'Only if no later than (minutes)',
            <input
              type="number"
              min={1}
              max={1440}
              value={p.within}
              onInput={(ev) => p.setWithin(Number(value(ev)))}
            />,
          )
        : null}
    </>
  );
}

export function ScheduleEditor(props: {
  devices: Record<string, Device>;
  editing: Schedule | null;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const e = props.editing;
  const targets = Object.values(props.devices).filter((d) => choicesFor(d).length > 0);
  const [deviceId, setDeviceId] = useState(e?.deviceId ?? targets[0]?.id ?? '');
  const device = props.devices[deviceId] ?? targets[0];
  const choices = choicesFor(device);
  const initialKey = e
    ? (choices.find((c) => c.capability === e.command.capability && (c.action || c.value === e.command.value))
        ?.key ?? '')
    : '';
  const [key, setKey] = useState(initialKey);
  const choice = choices.find((c) => c.key === key) ?? choices[0];
  const [portions, setPortions] = useState(e?.command.params?.portions ?? 1);
  const start = initialWhen(e);
  const [when, setWhen] = useState<When>(start.when);
  const [time, setTime] = useState(start.time);
  const [zone, setZone] = useState(e?.tz ?? localZone);
  const tomorrow = instantToWallTime(Date.now() + 24 * 3600_000, zone).slice(0, 11);
  const [onceAt, setOnceAt] = useState(e?.at != null ? instantToWallTime(e.at, e.tz) : `${tomorrow}09:00`);
  const [offset, setOffset] = useState(e?.sun?.offsetMinutes ?? 0);
  const [catchUp, setCatchUp] = useState(e ? e.catchUp.policy !== 'skip' : false);
  const [within, setWithin] = useState(
    e?.catchUp.policy === 'run-once-if-late' ? e.catchUp.withinMinutes : 60,
  );
  const [error, setError] = useState('');

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!device || !choice) return;
    const command = choice.action
      ? { capability: choice.capability, params: { portions } }
      : { capability: choice.capability, value: choice.value };
    const body = {
      command,
      ...timingOf(when, time, onceAt, zone, offset),
      tz: zone,
      catchUp: catchUp ? { policy: 'run-once-if-late', withinMinutes: within } : { policy: 'skip' },
    };
    try {
      if (e) await api('PATCH', `/api/v1/schedules/${e.id}`, body);
      else await api('POST', '/api/v1/schedules', { deviceId: device.id, ...body });
      setError('');
      props.onDone(e ? 'Schedule saved.' : 'Schedule added.');
    } catch (err) {
      setError(explain(err));
    }
  };

  return (
    <form onSubmit={submit} class="editor" aria-labelledby="editor-title">
      <h2 id="editor-title">{e ? 'Change schedule' : 'New schedule'}</h2>
      {e
        ? null
        : field(
            'Device',
            <select value={device?.id ?? ''} onChange={(ev) => setDeviceId(value(ev))}>
              {targets.map((d) => (
                <option value={d.id}>{d.name}</option>
              ))}
            </select>,
          )}
      {field(
        'Do',
        <select value={choice?.key ?? ''} onChange={(ev) => setKey(value(ev))}>
          {choices.map((c) => (
            <option value={c.key}>{c.text}</option>
          ))}
        </select>,
      )}
      {choice?.action
        ? field(
            'Portions',
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={10}
              value={portions}
              onInput={(ev) => setPortions(Number(value(ev)))}
            />,
          )
        : null}
      <WhenFields
        when={when}
        setWhen={setWhen}
        time={time}
        setTime={setTime}
        onceAt={onceAt}
        setOnceAt={setOnceAt}
        offset={offset}
        setOffset={setOffset}
      />
      {field(
        'Time zone',
        <select value={zone} onChange={(ev) => setZone(value(ev))}>
          {timeZones(zone).map((z) => (
            <option value={z}>{z.replace(/_/g, ' ')}</option>
          ))}
        </select>,
      )}
      <CatchUpFields on={catchUp} setOn={setCatchUp} within={within} setWithin={setWithin} />
      <div class="actions">
        {e ? (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" class="primary" disabled={!device || !choice}>
          {e ? 'Save changes' : 'Add schedule'}
        </button>
      </div>
      <p role="alert" class="error">
        {error}
      </p>
    </form>
  );
}
