// Hub status: devices online, each component's health, cloud plugin state when present, and a
// pairing code for another phone.
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from '../api.js';
import { Discovered } from './discovered.js';
import { MatterPairing } from './matter-pairing.js';
import { PairingCodeOutput } from './pairing-code.js';

interface Health {
  status: string;
  version: string;
  uptimeSeconds: number;
  components: Record<string, { ok: boolean; detail?: Record<string, unknown> }>;
}

const changes = (n: number) => `${n} change${n === 1 ? '' : 's'}`;

/** What the cloud link is doing, in words: never "OK" while the cloud cannot be reached. */
export function cloudText(d: Record<string, unknown>): string {
  const waiting = typeof d.queueDepth === 'number' ? d.queueDepth : 0;
  const age = typeof d.oldestAgeSeconds === 'number' ? d.oldestAgeSeconds : null;
  const since = age !== null && age >= 60 ? ` (oldest ${Math.round(age / 60)} min)` : '';
  if (d.state === 'stopped') return 'Off';
  if (d.state === 'connected')
    return waiting > 0 ? `Connected — sending ${changes(waiting)}` : 'Connected — up to date';
  if (d.state === 'circuit-open' || d.circuit !== 'closed' || d.lastError)
    return `Cloud unreachable — ${changes(waiting)} waiting${since}. Everything at home works as usual.`;
  return `Connecting… ${changes(waiting)} waiting`;
}

export function HubStatus({ online, total }: { online: number; total: number }) {
  const [health, setHealth] = useState<Health | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    const load = () => api<Health>('GET', '/api/v1/health').then(setHealth, (err) => setError(explain(err)));
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  const newCode = async () => {
    try {
      const r = await api<{ code: string }>('POST', '/api/v1/pairing-codes', { role: 'admin' });
      setCode(r.code);
    } catch (err) {
      setError(explain(err));
    }
  };
  return (
    <section aria-labelledby="hub-title">
      <h1 id="hub-title">Hub</h1>
      <p>
        {online} of {total} devices online.
      </p>
      {health ? (
        <dl class="health">
          <dt>Status</dt>
          <dd>{health.status === 'ok' ? 'All good' : 'Something needs attention'}</dd>
          <dt>Version</dt>
          <dd>{health.version}</dd>
          {Object.entries(health.components).map(([name, c]) => (
            <>
              <dt>{name === 'cloud-sync' ? 'Cloud sync' : name}</dt>
              <dd>{name === 'cloud-sync' ? cloudText(c.detail ?? {}) : c.ok ? 'OK' : 'Problem'}</dd>
            </>
          ))}
        </dl>
      ) : null}
      <h2>New devices</h2>
      <Discovered />
      <p>
        <a href="#/people">People: phones, roles and pairing</a>
      </p>
      <p>
        <a href="#/firmware">Firmware updates: rollouts wave by wave</a>
      </p>
      {health && health.components.matter?.detail?.state !== 'off' ? <MatterPairing /> : null}
      <h2>Pair another phone</h2>
      <PairingCodeOutput code={code} error={error} onNew={newCode} />
    </section>
  );
}
