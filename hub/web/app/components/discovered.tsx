// Factory-fresh devices announcing themselves on the LAN, each adoptable with a name and the setup
// code on its label (typed, or the text of its label's QR code pasted from a scanner app).
import { useEffect, useState } from 'preact/hooks';
import { api, explain } from '../api.js';

interface Waiting {
  claimId: string;
  model: string;
}

/** The code as typed, or taken out of a label's QR text (`hearth:adopt?claim=…&code=…`). */
const codeFrom = (typed: string): string => {
  const m = /[?&]code=([A-Za-z2-7 -]+)/.exec(typed);
  return (m?.[1] ?? typed).trim();
};

export function Discovered() {
  const [list, setList] = useState<Waiting[] | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [codes, setCodes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
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
    const setupCode = codeFrom(codes[w.claimId] ?? '');
    if (!setupCode) return setMessage('Type the setup code printed on the device label.');
    setBusy(w.claimId);
    setMessage('Asking the device to prove its setup code…');
    try {
      await api('POST', `/api/v1/discovered/${w.claimId}/adopt`, {
        name: names[w.claimId] || `New ${w.model}`,
        setupCode,
      });
      setMessage(`Adopted. It will appear under Devices in a moment.`);
      await load();
    } catch (err) {
      // The hub's own words say what went wrong with this adoption (a wrong code, no answer).
      const e = err as { code?: string; message?: string };
      const own = e.message && ['forbidden', 'device_offline', 'conflict'].includes(e.code ?? '');
      setMessage(own ? `${e.message?.charAt(0).toUpperCase()}${e.message?.slice(1)}.` : explain(err));
    } finally {
      setBusy(null);
    }
  };
  const status = (
    <p role="status" aria-live="polite">
      {message}
    </p>
  );
  if (!list || list.length === 0)
    return (
      <div>
        <p class="muted">No new devices are waiting to be adopted.</p>
        {status}
      </div>
    );
  return (
    <div>
      <ul class="list">
        {list.map((w) => (
          <li>
            <div class="editor" style={{ flex: 1, marginTop: 0 }}>
              <label>
                {w.model} ({w.claimId}) — name
                <input
                  value={names[w.claimId] ?? ''}
                  placeholder={`New ${w.model}`}
                  onInput={(e) => setNames({ ...names, [w.claimId]: (e.target as HTMLInputElement).value })}
                />
              </label>
              <label>
                setup code (on the label)
                <input
                  value={codes[w.claimId] ?? ''}
                  placeholder="ABCD-EFGH-IJKL-MNOP"
                  autocomplete="off"
                  autocapitalize="characters"
                  spellcheck={false}
                  onInput={(e) => setCodes({ ...codes, [w.claimId]: (e.target as HTMLInputElement).value })}
                />
              </label>
              <button type="button" class="primary" disabled={busy !== null} onClick={() => adopt(w)}>
                {busy === w.claimId ? 'Adopting…' : 'Adopt'}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {status}
    </div>
  );
}
