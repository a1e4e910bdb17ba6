// One device: a TV remote, a feeder panel, or controls from its descriptors; and the result of
// the last command in plain words (announced to screen readers), and what has not converged.
import { describeFault } from '../faults.js';
import type { CommandNote } from '../store.js';
import type { Device } from '../types.js';
import { Control } from './controls.js';
import { FeederPanel } from './feeder-panel.js';
import { TvRemote } from './tv-remote.js';

export function DeviceView({ device, note }: { device: Device; note: CommandNote | undefined }) {
  const isTv = device.model === 'tv';
  const isFeeder = device.capabilities.some((c) => c.name === 'feed');
  return (
    <article aria-labelledby="device-title">
      <a href="#/" class="back">
        ← All devices
      </a>
      <h1 id="device-title">{device.name}</h1>
      <p class={`status ${device.online ? 'online' : 'off'}`}>
        {device.online
          ? 'Online'
          : `Offline${device.lastSeenAt ? ` since ${new Date(device.lastSeenAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : ''}. Commands wait until it is back.`}
      </p>
      {device.fault ? (
        <p class="fault-box">
          <strong>{describeFault(device.fault).title}.</strong> {describeFault(device.fault).hint}
        </p>
      ) : null}
      <TwinLine device={device} />
      <div role="status" aria-live="polite" class={`note ${note?.state ?? ''}`}>
        {note?.text ?? ''}
      </div>
      {isTv ? <TvRemote device={device} /> : null}
      {isFeeder ? <FeederPanel device={device} /> : null}
      {!isTv && !isFeeder ? device.capabilities.map((d) => <Control device={device} d={d} />) : null}
      <p>
        <a href={`#/device/${device.id}/history`}>History and charts</a>
      </p>
    </article>
  );
}

function TwinLine({ device }: { device: Device }) {
  const label = (name: string) => device.capabilities.find((c) => c.name === name)?.label ?? name;
  const pending = device.twin?.pending ?? [];
  const changed = device.twin?.changedOnDevice ?? [];
  if (pending.length === 0 && changed.length === 0) return null;
  return (
    <p class="twin">
      {pending.length > 0 ? `Waiting for the device: ${pending.map(label).join(', ')}.` : ''}
      {pending.length > 0 && changed.length > 0 ? ' ' : ''}
      {changed.length > 0 ? `Changed on the device: ${changed.map(label).join(', ')}.` : ''}
    </p>
  );
}
