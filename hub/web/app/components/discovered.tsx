// Factory-fresh devices announcing themselves on the LAN, each adoptable with a name.
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from '../api.js';

interface Waiting {
  claimId: string;
  model: string;
}

export function Discovered() {
  const [list, setList] = useState<Waiting[] | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const load = () =>
    api<{ discovered: Waiting[] }>('GET', '/api/v1/discovered').then(
      (r) => setList(r.discovered),
      () => setList([]),
    );
  useEffect(() => {
    void load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, []);
  const adopt = async (w: Waiting) => {
    try {
      await api('POST', `/api/v1/discovered/${w.claimId}/adopt`, {
        name: names[w.claimId] || `New ${w.model}`,
      });
      setMessage(`Adopted. It will appear under Devices in a moment.`);
      await load();
    } catch (err) {
      setMessage(explain(err));
    }
  };
  if (!list || list.length === 0) return <p class="muted">No new devices are waiting to be adopted.</p>;
  return (
    <div>
      <ul class="list">
        {list.map((w) => (
          <li>
            <label>
              Name for the new {w.model} ({w.claimId})
              <input
                value={names[w.claimId] ?? ''}
                placeholder={`New ${w.model}`}
                onInput={(e) => setNames({ ...names, [w.claimId]: (e.target as HTMLInputElement).value })}
              />
            </label>
            <button type="button" class="primary" onClick={() => adopt(w)}>
              Adopt
            </button>
          </li>
        ))}
      </ul>
      <p role="status" aria-live="polite">
        {message}
      </p>
    </div>
  );
}
