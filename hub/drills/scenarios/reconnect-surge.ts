// reconnect-surge: every device of a fleet loses its connection at the same moment (a Wi-Fi access
// point reboots) and comes straight back. Admission control must keep the API answering while the
// broker accepts them all, and no desired state may be lost.

import { markDesired } from '../desired-marks.js';
import type { Lab } from '../lab.js';
import type { DrillChecks } from '../report.js';

export interface SurgeSize {
  devices: number;
  /** Pass bound for "all back", seconds. */
  withinS: number;
}

/** An API answer slower than this while the surge runs counts as the hub not being responsive. */
const RESPONSIVE_MS = 1000;

export async function reconnectSurgeDrill(lab: Lab, checks: DrillChecks, size: SurgeSize): Promise<void> {
  await lab.startHub();
  const fleet = await lab.fleet('light', size.devices);
  // Desired state set before the surge must survive it.
  const marks = await markDesired(lab, fleet.ids, 10);
  const connects0 = await lab.metric('hearth_mqtt_connections_total', 'result="accepted"');

  const t0 = performance.now();
  fleet.send({ device: '*', fault: 'drop' });
  let probes = 0;
  let failed = 0;
  let slowest = 0;
  let peakQueue = 0;
  let peakRss = 0;
  let sawDrop = false;
  let backAt: number | null = null;
  const deadline = t0 + 60_000;
  while (performance.now() < deadline) {
    const p0 = performance.now();
    try {
      const { status } = await lab.api('GET', '/api/v1/health');
      if (status !== 200) failed++;
    } catch {
      failed++;
    }
    probes++;
    slowest = Math.max(slowest, performance.now() - p0);
    peakRss = Math.max(peakRss, lab.hub().rssMb());
    peakQueue = Math.max(peakQueue, await lab.metric('hearth_mqtt_admission_queue'));
    const connects = (await lab.metric('hearth_mqtt_connections_total', 'result="accepted"')) - connects0;
    const online = await lab.metric('hearth_devices_online');
    sawDrop ||= online < size.devices;
    if (connects >= size.devices && online >= size.devices) {
      backAt = performance.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const seconds = backAt === null ? null : (backAt - t0) / 1000;
  if (seconds !== null) checks.figure('all back online, s', seconds);
  checks.figure('API probes', probes);
  checks.figure('slowest API answer, ms', slowest);
  checks.figure('peak admission queue', peakQueue);
  checks.figure('hub peak RSS, MB', peakRss);
  checks.check(
    'every device reconnected',
    seconds !== null && seconds <= size.withinS,
    seconds === null
      ? `not all ${size.devices} back within 60 s`
      : `${size.devices} reconnected and online in ${seconds.toFixed(2)} s (bound ${size.withinS} s)${sawDrop ? '' : '; the hub never saw them offline'}`,
  );
  checks.check(
    'the API answered throughout',
    failed === 0 && slowest <= RESPONSIVE_MS,
    `${probes - failed}/${probes} probes answered, slowest ${Math.round(slowest)} ms (bound ${RESPONSIVE_MS} ms)`,
  );
  await marks.verify(checks, 'surge');
}
