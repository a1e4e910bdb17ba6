// An action (feed) is not idempotent: it asks for confirmation, with its parameters, first.
import { useRef, useState } from 'preact/hooks';
import { sendCommand } from '../commands.js';
import { paramLabel, slug } from '../labels.js';
import type { Descriptor, Device } from '../types.js';

export function ConfirmAction({ device, d }: { device: Device; d: Descriptor }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const defaults = Object.fromEntries(Object.entries(d.params ?? {}).map(([k, p]) => [k, p.default]));
  const [params, setParams] = useState<Record<string, number>>(defaults);
  return (
    <div class="row">
      <span>{d.label}</span>
      <button type="button" class="primary" onClick={() => dialog.current?.showModal()}>
        {d.label} now…
      </button>
      <dialog ref={dialog} aria-labelledby={`${slug(device.id)}-${d.name}-title`}>
        <form
          method="dialog"
          onSubmit={(e) => {
            const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
            if (submitter?.value === 'ok') void sendCommand(device, d.name, { params });
          }}
        >
          <h2 id={`${slug(device.id)}-${d.name}-title`}>
            {d.label}: {device.name}
          </h2>
          {Object.entries(d.params ?? {}).map(([k, p]) => (
            <label>
              {paramLabel(k)}
              <input
                type="number"
                inputMode="numeric"
                min={p.min}
                max={p.max}
                value={params[k]}
                onInput={(e) => setParams({ ...params, [k]: Number((e.target as HTMLInputElement).value) })}
              />
            </label>
          ))}
          <div class="actions">
            <button value="cancel" type="submit">
              Cancel
            </button>
            <button value="ok" type="submit" class="primary">
              Confirm
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
