// The Matter bridge on the Hub screen: the code to type into Apple Home, Google Home or Alexa.
// Shown when the bridge is on, to admins only (the code lets anyone in range add the bridge to a home).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';

interface MatterStatus {
  enabled: boolean;
  state: string;
  error?: string;
  manualPairingCode?: string;
  qrPayload?: string;
  fabrics?: number;
  bridged?: number;
}

const grouped = (code: string) => code.replace(/^(\d{4})(\d{3})(\d{4})$/, '$1-$2-$3');

export function MatterPairing() {
  const [status, setStatus] = useState<MatterStatus | null>(null);
  useEffect(() => {
    api<MatterStatus>('GET', '/api/v1/matter').then(setStatus, () => setStatus(null));
  }, []);
  if (!status?.enabled) return null;
  return (
    <>
      <h2>Apple Home, Google Home, Alexa</h2>
      {status.manualPairingCode ? (
        <>
          <p>
            Add a Matter device in the Home app and type this code:{' '}
            <strong class="code">{grouped(status.manualPairingCode)}</strong>
          </p>
          <p>
            {status.bridged ?? 0} devices bridged; in {status.fabrics ?? 0} home app
            {status.fabrics === 1 ? '' : 's'}. QR payload: <code>{status.qrPayload}</code>
          </p>
        </>
      ) : (
        <p>The Matter bridge is not running{status.error ? `: ${status.error}` : '.'}</p>
      )}
    </>
  );
}
