// hub-outage: the hub is away for a while (a Pi rebooting, an update: 45 s by default), then
// comes back on the same address. On its own broker, devices wait it out retrying with
// full-jitter backoff, and once the hub listens again every one of them must be back within 5 s;
// on mosquitto they stay connected there, and within 5 s of the hub being back (connected to
// mosquitto, its API serving) it must see every one online. The API must answer throughout the
// return, and no desired state may be lost.
import { connect } from 'node:net';
import { markDesired } from '../desired-marks.js';
import type { Lab } from '../lab.js';
import type { DrillChecks } from '../report.js';

export interface OutageSize {
  devices: number;
  /** How long the hub stays down, seconds. */
  seconds: number;
  /** Pass bound for "all back", seconds after the hub listens again. */
  withinS: number;
}

export async function hubOutageDrill(lab: Lab, checks: DrillChecks, size: OutageSize): Promise<void> {
  await lab.startHub();
  const fleet = await lab.fleet('light', size.devices);
  const marks = await markDesired(lab, fleet.ids, 20);

  await lab.stopHub('SIGTERM');
  const downAt = performance.now();
  await new Promise((r) => setTimeout(r, size.seconds * 1000));
  // Measured from the moment the new hub's MQTT port accepts a connection (it listens before
  // the API serves), found by probing it while the hub starts. On mosquitto the hub opens no
  // MQTT port: it is back once its API serves, which it does after connecting to mosquitto.
  const spawnAt = performance.now();
  const embedded = lab.brokerMode === 'embedded';
  const listening = embedded ? firstAccept(lab.mqttPort, spawnAt + 60_000) : undefined;
  await lab.startHub();
  const readyAt = performance.now();
  const listenAt = (await listening) ?? readyAt;
  const back = embedded ? 'the hub listened again' : 'the hub was back on mosquitto';
  let probes = 0;
  let failed = 0;
  let slowest = 0;
  let backAt: number | null = null;
  const deadline = spawnAt + 60_000;
  while (performance.now() < deadline) {
    const p0 = performance.now();
    const online = await lab.metric('hearth_devices_online').catch(() => -1);
    probes++;
    if (online < 0) failed++;
    slowest = Math.max(slowest, performance.now() - p0);
    if (online >= size.devices) {
      backAt = performance.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const seconds = backAt === null ? null : (backAt - listenAt) / 1000;
  checks.figure('hub down, s', (spawnAt - downAt) / 1000);
  if (embedded) checks.figure('hub start to MQTT listening, s', (listenAt - spawnAt) / 1000);
  checks.figure('hub start to API serving, s', (readyAt - spawnAt) / 1000);
  if (seconds !== null) checks.figure('all back after the hub listens, s', seconds);
  checks.figure('slowest API answer, ms', slowest);
  checks.check(
    'every device back soon after the hub listens',
    seconds !== null && seconds <= size.withinS,
    seconds === null
      ? `not all ${size.devices} back within 60 s of the hub's return`
      : `${size.devices} back ${seconds.toFixed(2)} s after ${back} (bound ${size.withinS} s) after ${size.seconds} s away`,
  );
  checks.check(
    'the API answered throughout',
    failed === 0,
    `${probes - failed}/${probes} probes answered, slowest ${Math.round(slowest)} ms`,
  );
  await marks.verify(checks, 'outage');
}

/** When a TCP connect to the port first succeeds (probing every 10 ms until `deadline`). */
async function firstAccept(port: number, deadline: number): Promise<number> {
  while (performance.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  return deadline;
}
