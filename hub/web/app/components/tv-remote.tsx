// A TV remote: power, channel up/down, a number pad, volume, mute and input.
import { useState } from 'preact/hooks';
import { sendCommand } from '../commands.js';
import { optionLabel } from '../labels.js';
import type { Device } from '../types.js';

export function TvRemote({ device }: { device: Device }) {
  const r = device.reported;
  const [digits, setDigits] = useState('');
  const send = (capability: string, value: unknown) => sendCommand(device, capability, { value });
  const channel = typeof r.channel === 'number' ? r.channel : 1;
  const volume = typeof r.volume === 'number' ? r.volume : 0;
  const inputs = device.capabilities.find((c) => c.name === 'input')?.options ?? [];
  return (
    <section class="remote" aria-label={`${device.name} remote`}>
      <div class="remote-top">
        <button
          type="button"
          class={r.power ? 'power on' : 'power'}
          onClick={() => send('power', r.power !== true)}
        >
          {r.power ? 'Turn off' : 'Turn on'}
        </button>
        <button
          type="button"
          class="mute"
          aria-pressed={r.mute === true}
          onClick={() => send('mute', r.mute !== true)}
        >
          Mute
        </button>
      </div>
      <div class="remote-rockers">
        <fieldset class="rocker" aria-label="Channel">
          <button type="button" onClick={() => send('channel', channel + 1)}>
            CH +<span class="sr-only">, channel up</span>
          </button>
          <output aria-live="polite" aria-label="Channel">
            {channel}
          </output>
          <button type="button" disabled={channel <= 1} onClick={() => send('channel', channel - 1)}>
            CH −<span class="sr-only">, channel down</span>
          </button>
        </fieldset>
        <fieldset class="rocker" aria-label="Volume">
          <button
            type="button"
            disabled={volume >= 100}
            onClick={() => send('volume', Math.min(100, volume + 5))}
          >
            VOL +<span class="sr-only">, volume up</span>
          </button>
          <output aria-live="polite" aria-label="Volume">
            {volume}
          </output>
          <button
            type="button"
            disabled={volume <= 0}
            onClick={() => send('volume', Math.max(0, volume - 5))}
          >
            VOL −<span class="sr-only">, volume down</span>
          </button>
        </fieldset>
      </div>
      <fieldset class="numpad" aria-label="Number pad">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0', 'OK'].map((k) => (
          <button
            type="button"
            aria-label={
              k === '⌫' ? 'Delete digit' : k === 'OK' ? `OK, go to channel ${digits || '…'}` : undefined
            }
            onClick={() => {
              if (k === '⌫') setDigits(digits.slice(0, -1));
              else if (k === 'OK') {
                if (digits) send('channel', Number(digits));
                setDigits('');
              } else if (digits.length < 4) setDigits(digits + k);
            }}
          >
            {k}
          </button>
        ))}
      </fieldset>
      <p class="digits" aria-live="polite">
        {digits ? `Channel ${digits}` : ' '}
      </p>
      {inputs.length > 0 ? (
        <label class="row">
          Input
          <select
            value={String(r.input ?? '')}
            onChange={(e) => send('input', (e.target as HTMLSelectElement).value)}
          >
            {inputs.map((o) => (
              <option value={o}>{optionLabel(o)}</option>
            ))}
          </select>
        </label>
      ) : null}
    </section>
  );
}
