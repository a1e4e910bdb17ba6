// Hub → Firmware updates: each staged rollout with its progress wave by wave (the canary first),
// what it is doing in words, and a way to stop a running one (with a confirmation: devices already
// updated keep the new version). The hub cannot resume a stopped rollout; the screen says how to go
// on instead. Rollouts are started from the CLI, where the signed image is (hearth firmware).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RolloutView } from '../../../firmware/schemas.js';
import { api, explain } from '../api.js';
import { whenText } from '../commands.js';

type Wave = RolloutView['progress'][number];

const failures = (n: number) => `${n} failure${n === 1 ? '' : 's'}`;

function stateText(r: RolloutView): string {
  if (r.status === 'completed') return 'Finished: every device is on the new version.';
  if (r.status === 'halted') return `Stopped: ${r.haltedReason ?? 'halted'}.`;
  const step = r.progress.findIndex((w) => w.wave === r.currentWave);
  const label = r.progress[step]?.label ?? `wave ${r.currentWave + 1}`;
  return `Updating: ${label}${step >= 0 ? ` (step ${step + 1} of ${r.progress.length})` : ''}.`;
}

function waveText(w: Wave): string {
  const troubles = [
    w.failed > 0 ? `${w.failed} failed` : '',
    w.rolledBack > 0 ? `${w.rolledBack} went back to the old version` : '',
    w.offered > 0 ? `${w.offered} updating` : '',
  ].filter(Boolean);
  return `${w.updated} of ${w.devices} updated${troubles.length > 0 ? `, ${troubles.join(', ')}` : ''}`;
}

function Rollout({ r, onHalted }: { r: RolloutView; onHalted: (r: RolloutView) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState('');
  const title = `${r.model} ${r.version}`;
  const halt = async () => {
    setError('');
    try {
      onHalted(await api<RolloutView>('POST', `/api/v1/firmware/rollouts/${r.id}/halt`));
    } catch (err) {
      setError(explain(err));
    }
  };
  return (
    <li class={`rollout ${r.status}`}>
      <h2 id={`rollout-${r.id}`}>{title}</h2>
      <p class="state">{stateText(r)}</p>
      <p class="muted">{`Started ${whenText(r.createdAt)} · stops after ${failures(r.maxFailures)} (${r.failures} so far)`}</p>
      <ol class="waves" aria-label={`Waves of ${title}`}>
        {r.progress.map((w) => (
          <li aria-current={r.status === 'running' && w.wave === r.currentWave ? 'step' : undefined}>
            <span class="wave-label">{w.label}</span>
            <progress max={w.devices} value={w.updated} aria-label={`${w.label}: ${waveText(w)}`} />
            <span>{waveText(w)}</span>
          </li>
        ))}
      </ol>
      {r.status === 'running' ? (
        <button type="button" onClick={() => dialog.current?.showModal()}>
          Stop this rollout…
        </button>
      ) : null}
      {r.status === 'halted' ? (
        <p class="muted">
          A stopped rollout does not start again: fix the image and start a new rollout with{' '}
          <code>hearth firmware rollout start</code>.
        </p>
      ) : null}
      <p role="alert" class="error">
        {error}
      </p>
      <dialog ref={dialog} aria-labelledby={`halt-${r.id}`}>
        <form
          method="dialog"
          onSubmit={(e) => {
            if (((e as SubmitEvent).submitter as HTMLButtonElement | null)?.value === 'ok') void halt();
          }}
        >
          <h2 id={`halt-${r.id}`}>Stop the update to {title}?</h2>
          <p>Devices already updated keep the new version; the others stay on the one they have.</p>
          <div class="actions">
            <button value="cancel" type="submit">
              Keep going
            </button>
            <button value="ok" type="submit" class="primary">
              Stop rollout
            </button>
          </div>
        </form>
      </dialog>
    </li>
  );
}

export function Firmware() {
  const [rollouts, setRollouts] = useState<RolloutView[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    const load = () =>
      api<{ rollouts: RolloutView[] }>('GET', '/api/v1/firmware/rollouts').then(
        (r) => {
          setRollouts([...r.rollouts].sort((a, b) => b.createdAt - a.createdAt));
          setError('');
        },
        (err) => setError(explain(err)),
      );
    void load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, []);
  const replace = (next: RolloutView) =>
    setRollouts((list) => (list ?? []).map((r) => (r.id === next.id ? { ...r, ...next } : r)));
  return (
    <section aria-labelledby="firmware-title">
      <a href="#/hub" class="back">
        ← Hub
      </a>
      <h1 id="firmware-title">Firmware updates</h1>
      <p role="alert" class="error">
        {error}
      </p>
      {rollouts === null && !error ? (
        <p class="muted" aria-busy="true">
          Loading rollouts…
        </p>
      ) : null}
      {rollouts?.length === 0 ? (
        <p class="empty">
          No updates yet. Upload a signed image and start one with <code>hearth firmware rollout start</code>.
        </p>
      ) : null}
      <ul class="rollouts">
        {(rollouts ?? []).map((r) => (
          <Rollout r={r} onHalted={replace} />
        ))}
      </ul>
    </section>
  );
}
