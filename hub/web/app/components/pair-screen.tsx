// First visit: exchange the code the hub printed (or the QR's #pair=CODE) for this phone's token.
import { useEffect, useState } from 'preact/hooks';
import { PAIR_INTRO, PAIR_TITLE } from '../../pair-text.js';
import { explain } from '../api.js';
import { pair } from '../link.js';

export function PairScreen({ hubName, onSkip }: { hubName: string; onSkip?: (() => void) | undefined }) {
  const fromLink = /#pair=([\d-]+)/.exec(location.hash)?.[1] ?? '';
  const [code, setCode] = useState(fromLink);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (value: string) => {
    setBusy(true);
    setError('');
    try {
      await pair(value);
      // Keep the CA fingerprint from the pairing link for the trust step.
      const ca = /[#&]ca=([0-9a-f]{64})/.exec(location.hash)?.[1];
      location.hash = ca ? `#/&ca=${ca}` : '#/';
    } catch (err) {
      setError(
        explain(err) === 'This phone is no longer paired.'
          ? 'That code is not valid. Check it, or ask the hub for a new one.'
          : explain(err),
      );
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (fromLink) void submit(fromLink);
  }, []);
  return (
    <main class="pair">
      <h1>{PAIR_TITLE(hubName)}</h1>
      <p>{PAIR_INTRO}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit(code);
        }}
      >
        <label for="code">Pairing code</label>
        <input
          id="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          placeholder="1234-5678"
          value={code}
          onInput={(e) => setCode((e.target as HTMLInputElement).value)}
          aria-describedby="pair-error"
        />
        <button type="submit" class="primary" disabled={busy || code.trim() === ''}>
          {busy ? 'Pairing…' : 'Pair'}
        </button>
        <p id="pair-error" role="alert" class="error">
          {error}
        </p>
      </form>
      {onSkip ? (
        <p>
          <button type="button" class="link" onClick={onSkip}>
            Already paired on this phone? Trust the hub
          </button>
        </p>
      ) : null}
    </main>
  );
}
