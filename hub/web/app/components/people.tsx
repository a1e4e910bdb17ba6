// Hub → People: the phones and tokens that can reach the hub, each with its role; an admin changes
// a role, revokes a phone, or shows a pairing code for a new phone of a chosen role.
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from '../api.js';
import { PairingCodeOutput } from './pairing-code.js';

type Role = 'admin' | 'member' | 'guest';
interface TokenView {
  id: string;
  name: string;
  role: Role;
  grants: string[];
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const ROLES: Role[] = ['admin', 'member', 'guest'];
const ABOUT: Record<Role, string> = {
  admin: 'everything',
  member: 'all devices and schedules',
  guest: 'only the devices granted',
};
const grantsOf = (text: string) => text.split(/[\s;]+/).filter(Boolean);

export function People() {
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [error, setError] = useState('');
  const [role, setRole] = useState<Role>('guest');
  const [grants, setGrants] = useState('');
  const [code, setCode] = useState('');
  const load = () =>
    api<{ tokens: TokenView[] }>('GET', '/api/v1/tokens').then(
      (r) => setTokens(r.tokens.filter((t) => t.revokedAt === null)),
      (err) => setError(explain(err)),
    );
  useEffect(() => {
    void load();
  }, []);
  const act = async (fn: () => Promise<unknown>) => {
    setError('');
    try {
      await fn();
      await load();
    } catch (err) {
      setError(explain(err));
    }
  };
  const changeRole = (t: TokenView, next: Role) =>
    act(() => api('PATCH', `/api/v1/tokens/${t.id}`, { role: next }));
  const revoke = (t: TokenView) => act(() => api('DELETE', `/api/v1/tokens/${t.id}`));
  const newCode = () =>
    act(async () => {
      const body = { role, grants: role === 'guest' ? grantsOf(grants) : [] };
      setCode((await api<{ code: string }>('POST', '/api/v1/pairing-codes', body)).code);
    });
  return (
    <main aria-labelledby="people-title">
      <h1 id="people-title">People</h1>
      <ul class="people">
        {(tokens ?? []).map((t) => (
          <li key={t.id}>
            <strong>{t.name}</strong>{' '}
            <select
              aria-label={`Role of ${t.name}`}
              value={t.role}
              onChange={(e) => changeRole(t, (e.target as HTMLSelectElement).value as Role)}
            >
              {ROLES.map((r) => (
                <option value={r}>{r}</option>
              ))}
            </select>
            {t.grants.length ? <span class="muted"> {t.grants.join(' ')}</span> : null}{' '}
            <button type="button" onClick={() => revoke(t)}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <h2>Pair a phone</h2>
      <label>
        Role{' '}
        <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
          {ROLES.map((r) => (
            <option value={r}>
              {r} — {ABOUT[r]}
            </option>
          ))}
        </select>
      </label>
      {role === 'guest' ? (
        <label>
          Grants{' '}
          <input
            placeholder="feeder-1:feed tv-1:*"
            value={grants}
            onInput={(e) => setGrants((e.target as HTMLInputElement).value)}
          />
        </label>
      ) : null}
      <PairingCodeOutput code={code} error={error} onNew={newCode} />
    </main>
  );
}
