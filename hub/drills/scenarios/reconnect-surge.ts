// reconnect-surge: every device of a fleet loses its connection at the same moment and comes
// straight back. On the hub's own broker that is a Wi-Fi access point rebooting (every device
// drops); on mosquitto it is mosquitto itself restarting, which drops the hub's connection too.
// Admission control must keep the API answering while the broker accepts them all, the hub must
// see every device online again, and no desired state may be lost.

import { markDesired } from '../desired-marks.js';
import type { Fleet, Lab } from '../lab.js';
import type { DrillChecks } from '../report.js';

export interface SurgeSize {
  devices: number;
  /** Pass bound for "all back", seconds. */
  withinS: number;
}

/** An API answer slower than this while the surge runs counts as the hub not being responsive. */
const RESPONSIVE_MS = 1000;

/** How every device drops at once in a broker mode, and how the drill knows they are all back. */
interface Surge {
  cause: string;
  /** Drops every device; resolves once the broker takes connections again. */
  drop(): Promise<void>;
  /** Every device is back: connected again (not merely never seen gone) and online at the hub. */
  allBack(): Promise<boolean>;
}

async function embeddedSurge(lab: Lab, fleet: Fleet): Promise<Surge> {
  const connects = () => lab.metric('hearth_mqtt_connections_total', 'result="accepted"');
  const connects0 = await connects();
  return {
    cause: 'every device dropped its connection',
    async drop() {
      fleet.send({ device: '*', fault: 'drop' });
    },
    allBack: async () =>
      (await connects()) - connects0 >= fleet.ids.length &&
      (await lab.metric('hearth_devices_online')) >= fleet.ids.length,
  };
}

/**
 * mosquitto restarts: the hub counts nobody's connections there, so a device is back when the hub
 * has seen it come online since the restart began (its presence changed, so `lastSeenAt` moved).
 */
function mosquittoSurge(lab: Lab, fleet: Fleet): Surge {
  const { restartBroker } = lab;
  if (!restartBroker) throw new Error('reconnect-surge on mosquitto needs a broker the lab can restart');
  const since = Date.now();
  const ids = new Set(fleet.ids);
  return {
    cause: 'mosquitto restarted',
    drop: () => restartBroker(),
    async allBack() {
      const { body } = await lab.api('GET', '/api/v1/devices');
      const devices = (body.devices ?? []) as Array<{
        id: string;
        online: boolean;
        lastSeenAt: number | null;
      }>;
      const back = devices.filter((d) => ids.has(d.id) && d.online && (d.lastSeenAt ?? 0) >= since);
      return back.length >= ids.size;
    },
  };
}

export async function reconnectSurgeDrill(lab: Lab, checks: DrillChecks, size: SurgeSize): Promise<void> {
  await lab.startHub();
  const fleet = await lab.fleet('light', size.devices);
  // Desired state set before the surge must survive it.
  const marks = await markDesired(lab, fleet.ids, 10);
  const surge = lab.brokerMode === 'mosquitto' ? mosquittoSurge(lab, fleet) : await embeddedSurge(lab, fleet);

  const t0 = performance.now();
  let dropError: Error | undefined;
  let brokerBackAt: number | null = null;
  const dropped = surge.drop().then(
    () => {
      brokerBackAt = performance.now();
    },
    (err: Error) => {
      dropError = err;
    },
  );
  let probes = 0;
  let failed = 0;
  let slowest = 0;
  let peakQueue = 0;
  let peakRss = 0;
  let sawDrop = false;
  let backAt: number | null = null;
  const deadline = t0 + 60_000;
  while (performance.now() < deadline && !dropError) {
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
    if (lab.brokerMode === 'embedded')
      peakQueue = Math.max(peakQueue, await lab.metric('hearth_mqtt_admission_queue'));
    sawDrop ||= (await lab.metric('hearth_devices_online')) < size.devices;
    if (brokerBackAt !== null && (await surge.allBack().catch(() => false))) {
      backAt = performance.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await dropped;
  if (dropError) throw dropError;
  const seconds = backAt === null ? null : (backAt - t0) / 1000;
  if (seconds !== null) checks.figure('all back online, s', seconds);
  if (lab.brokerMode === 'mosquitto' && brokerBackAt !== null)
    checks.figure('mosquitto restart, s', (brokerBackAt - t0) / 1000);
  checks.figure('API probes', probes);
  checks.figure('slowest API answer, ms', slowest);
  if (lab.brokerMode === 'embedded') checks.figure('peak admission queue', peakQueue);
  checks.figure('hub peak RSS, MB', peakRss);
  checks.check(
    'every device reconnected',
    seconds !== null && seconds <= size.withinS,
    seconds === null
      ? `not all ${size.devices} back within 60 s after ${surge.cause}`
      : `${size.devices} reconnected and online in ${seconds.toFixed(2)} s after ${surge.cause} (bound ${size.withinS} s)${sawDrop ? '' : '; the hub never saw them offline'}`,
  );
  checks.check(
    'the API answered throughout',
    failed === 0 && slowest <= RESPONSIVE_MS,
    `${probes - failed}/${probes} probes answered, slowest ${Math.round(slowest)} ms (bound ${RESPONSIVE_MS} ms)`,
  );
  await marks.verify(checks, 'surge');
}
