// Controls rendered from capability descriptors: a new device type needs no UI code.
import { useState } from 'preact/hooks';
import { sendCommand } from '../commands.js';
import { optionLabel } from '../labels.js';
import type { Descriptor, Device } from '../types.js';
import { ConfirmAction } from './confirm-action.js';

const fmt = (d: Descriptor, v: unknown) => {
  if (v === undefined || v === null) return '–';
  // Mired is what bulbs speak; people know kelvin (2700 K is warm white).
  if (d.unit === 'mired' && typeof v === 'number') return `${Math.round(1e6 / v / 50) * 50} K`;
  return `${String(v)}${d.unit ? ` ${d.unit}` : ''}`;
};

export function Control({ device, d }: { device: Device; d: Descriptor }) {
  const value = device.reported[d.name];
  const id = `${device.id}-${d.name}`;
  const send = (v: unknown) => sendCommand(device, d.name, { value: v });
  if (d.kind === 'feature') return null;
  if (d.kind === 'sensor') {
    const pct = d.unit === '%' && typeof value === 'number';
    return (
      <div class="row">
        <span id={id}>{d.label}</span>
        {pct ? (
          <meter aria-labelledby={id} min={0} max={100} low={20} optimum={100} value={value as number}>
            {fmt(d, value)}
          </meter>
        ) : null}
        <output aria-labelledby={id}>
          {typeof value === 'boolean'
            ? d.name === 'contact'
              ? value
                ? 'closed'
                : 'open'
              : value
                ? 'yes'
                : 'no'
            : fmt(d, value)}
        </output>
      </div>
    );
  }
  if (d.kind === 'action') return <ConfirmAction device={device} d={d} />;
  if (d.type === 'boolean') {
    return (
      <div class="row">
        <span id={id}>{d.label}</span>
        <button
          type="button"
          role="switch"
          aria-checked={value === true}
          aria-labelledby={id}
          class="switch"
          onClick={() => send(value !== true)}
        >
          <span>{value === true ? 'On' : 'Off'}</span>
        </button>
      </div>
    );
  }
  if (d.type === 'color') {
    return (
      <div class="row">
        <label for={id}>{d.label}</label>
        <input
          id={id}
          type="color"
          value={typeof value === 'string' ? value : '#ffffff'}
          onChange={(e) => send((e.target as HTMLInputElement).value)}
        />
      </div>
    );
  }
  if (d.type === 'enum') {
    return (
      <div class="row">
        <label for={id}>{d.label}</label>
        <select
          id={id}
          value={String(value ?? '')}
          onChange={(e) => send((e.target as HTMLSelectElement).value)}
        >
          {(d.options ?? []).map((o) => (
            <option value={o}>{optionLabel(o)}</option>
          ))}
        </select>
      </div>
    );
  }
  const min = d.min ?? 0;
  const max = d.max ?? 100;
  const current = typeof value === 'number' ? value : min;
  if (max - min > 100 && d.unit !== 'mired')
    return <Stepper label={d.label} id={id} value={current} min={min} max={max} onChange={send} />;
  return <Slider d={d} id={id} value={current} onCommit={send} />;
}

function Slider({
  d,
  id,
  value,
  onCommit,
}: {
  d: Descriptor;
  id: string;
  value: number;
  onCommit: (v: number) => void;
}) {
  const [draft, setDraft] = useState<number | null>(null);
  const shown = draft ?? value;
  return (
    <div class="row">
      <label for={id}>{d.label}</label>
      <input
        id={id}
        type="range"
        min={d.min}
        max={d.max}
        step={d.unit === 'mired' ? 10 : (d.step ?? 1)}
        value={shown}
        onInput={(e) => setDraft(Number((e.target as HTMLInputElement).value))}
        onChange={(e) => {
          setDraft(null);
          onCommit(Number((e.target as HTMLInputElement).value));
        }}
      />
      <output for={id}>{fmt(d, shown)}</output>
    </div>
  );
}

export function Stepper(p: {
  label: string;
  id: string;
  value: number;
  min: number;
  max: number;
  onChange: (v: number) => void;
}) {
  return (
    <div class="row">
      <span id={p.id}>{p.label}</span>
      <fieldset class="stepper" aria-labelledby={p.id}>
        <button
          type="button"
          aria-label={`${p.label} down`}
          disabled={p.value <= p.min}
          onClick={() => p.onChange(p.value - 1)}
        >
          −
        </button>
        <output aria-live="polite">{p.value}</output>
        <button
          type="button"
          aria-label={`${p.label} up`}
          disabled={p.value >= p.max}
          onClick={() => p.onChange(p.value + 1)}
        >
          +
        </button>
      </fieldset>
    </div>
  );
}
