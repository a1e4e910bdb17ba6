// Hub status: devices online, each component's health, cloud plugin state when present, and a
// pairing code for another phone.
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from '../api.js';
import { Discovered } from './discovered.js';

interface Health {
  status: string;
  version: string;
  uptimeSeconds: number;
  components: Record<string, { ok: boolean; detail?: Record<string, unknown> }>;
}

export function HubStatus({ online, total }: { online: number; total: number }) {
  const [health, setHealth] = useState<Health | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    api<Health>('GET', '/api/v1/health').then(setHealth, (err) => setError(explain(err)));
  }, []);
  const newCode = async () => {
    try {
      const r = await api<{ code: string }>('POST', '/api/v1/pairing-codes');
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
              <dd>
                {c.ok ? 'OK' : 'Problem'}
                {c.detail && typeof c.detail.state === 'string' ? ` · ${c.detail.state}` : ''}
              </dd>
            </>
          ))}
        </dl>
      ) : null}
      <h2>New devices</h2>
      <Discovered />
      <h2>Pair another phone</h2>
      <button type="button" onClick={newCode}>
        Show a pairing code
      </button>
      {code ? (
        <p class="code" aria-live="polite">
          Code: <strong>{code}</strong> (valid 15 minutes)
        </p>
      ) : null}
      <p role="alert" class="error">
        {error}
      </p>
    </section>
  );
}
