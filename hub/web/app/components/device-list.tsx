// Devices grouped by room, with availability and a one-line summary of their state.
import { describeFault } from '../faults.js';
import { slug } from '../labels.js';
import type { Device } from '../types.js';

function summary(d: Device): string {
  const r = d.reported;
  if (d.model === 'tv') return r.power ? `On · channel ${r.channel ?? '?'}` : 'Off';
  if (typeof r.hopper === 'number') return `Hopper ${r.hopper}%`;
  if (typeof r.power === 'boolean') return r.power ? 'On' : 'Off';
  if (typeof r.temperature === 'number') return `${r.temperature} °C`;
  if (typeof r.contact === 'boolean') return r.contact ? 'Closed' : 'Open';
  return '';
}

export function DeviceList({ devices }: { devices: Device[] | null }) {
  const title = <h1>Devices</h1>;
  if (devices === null)
    return (
      <div aria-busy="true">
        {title}
        <p class="muted">Loading devices…</p>
      </div>
    );
  if (devices.length === 0) {
    return (
      <div>
        {title}
        <p class="empty">
          No devices yet. Flash a simulated one with <code>hearth flash tv --name "Living room TV"</code>, or
          adopt a new one under <a href="#/hub">Hub → New devices</a>.
        </p>
      </div>
    );
  }
  const rooms = new Map<string, Device[]>();
  for (const d of [...devices].sort((a, b) => a.name.localeCompare(b.name))) {
    const room = d.room ?? '';
    rooms.set(room, [...(rooms.get(room) ?? []), d]);
  }
  // By room name, and the devices in no room last.
  const ordered = [...rooms].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  return (
    <div>
      {title}
      {ordered.map(([room, list]) => (
        <section aria-labelledby={`room-${slug(room || 'no room')}`}>
          <h2 id={`room-${slug(room || 'no room')}`}>{room || 'No room'}</h2>
          <ul class="cards">
            {list.map((d) => (
              <li>
                <a
                  class={`card${d.online ? '' : ' offline'}${d.fault ? ' faulty' : ''}`}
                  href={`#/device/${d.id}`}
                >
                  <span class="name">{d.name}</span>
                  <span class="summary">{summary(d)}</span>
                  <span class={`badge ${!d.online ? 'off' : d.fault ? 'fault' : 'online'}`}>
                    {!d.online ? 'Offline' : d.fault ? 'Needs attention' : 'Online'}
                  </span>
                  {d.fault ? (
                    <span class="fault-line">
                      {describeFault(d.fault).title}: {describeFault(d.fault).hint}
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
