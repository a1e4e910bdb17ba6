// wan-down, cloud-blackhole and dns-fail: the cloud goes away in one of three ways while phones
// control lights and schedules fire. LAN control and schedules must not notice; the cloud queue
// grows on disk and drains, every change delivered, once the cloud is back.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CloudBroker, freePort, startCloudBroker, startSilentServer } from '../cloud-broker.js';
import { DNS_CONTROL_ENV, DRILL_DOMAIN } from '../dns-fault.js';
import { hearthBin } from '../hub-process.js';
import { createLab, type Lab, waitUntil } from '../lab.js';
import type { DrillChecks } from '../report.js';
import { scheduleSoon, waitForRun, waitInSync } from '../schedule-probe.js';

export type CloudFault = 'wan-down' | 'cloud-blackhole' | 'dns-fail';

export interface CloudSize {
  lights: number;
  /** Commands sent over the LAN while the cloud is away. */
  commands: number;
}

const PREFIX = 'hearth/cloud';
/** A LAN command slower than this while the cloud is away counts as "affected". */
const LAN_BOUND_MS = 1000;
/** How late a schedule may run and still count as on time. */
const ON_TIME_MS = 2000;

type CloudMessage = { topic: string; body: Record<string, unknown> };

/** The cloud end: a broker that can go away and come back on the same port, keeping what it got. */
async function cloudEnd(port: number) {
  const received: CloudMessage[] = [];
  let broker: CloudBroker | null = null;
  let silent: Awaited<ReturnType<typeof startSilentServer>> | null = null;
  const keep = () => {
    if (broker) received.push(...broker.messages);
  };
  return {
    received: () => [...received, ...(broker?.messages ?? [])],
    async up() {
      await silent?.close();
      silent = null;
      broker ??= await startCloudBroker(port);
    },
    async down() {
      keep();
      await broker?.close();
      broker = null;
    },
    async blackhole() {
      await this.down();
      silent = await startSilentServer(port);
    },
    async close() {
      await this.down();
      await silent?.close();
    },
  };
}

export async function cloudOutageDrill(
  fault: CloudFault,
  checks: DrillChecks,
  size: CloudSize,
): Promise<void> {
  const cloudPort = await freePort();
  const host = fault === 'dns-fail' ? `cloud${DRILL_DOMAIN}` : '127.0.0.1';
  const cloud = await cloudEnd(cloudPort);
  const lab = await createLab({
    hubConfig: {
      plugins: {
        'cloud-sync': {
          url: `mqtt://${host}:${cloudPort}`,
          topicPrefix: PREFIX,
          ratePerSecond: 0,
          connectTimeoutMs: 1000,
          backoffMaxMs: 1000,
          breakerHalfOpenMs: 1000,
        },
      },
    },
  });
  const dnsFile = join(lab.dir, 'dns-state');
  try {
    writeFileSync(dnsFile, 'up');
    await cloud.up();
    const preload = join(dirname(hearthBin), '..', 'hub', 'drills', 'dns-fault.js');
    await lab.startHub(
      fault === 'dns-fail' ? { NODE_OPTIONS: `--import=${preload}`, [DNS_CONTROL_ENV]: dnsFile } : {},
    );
    const lights = (await lab.fleet('light', size.lights)).ids;
    const feeder = (await lab.fleet('feeder', 1)).ids[0] as string;
    await waitUntil(
      async () => (await cloudState(lab)) === 'connected',
      15_000,
      'the hub to reach the cloud',
    );
    const before = await lanCommands(lab, lights, size.commands, 0);
    checks.figure('LAN command p50 with the cloud up, ms', before.p50);

    // The fault.
    if (fault === 'wan-down') await cloud.down();
    if (fault === 'cloud-blackhole') await cloud.blackhole();
    if (fault === 'dns-fail') {
      writeFileSync(dnsFile, 'down');
      await cloud.down(); // the cloud broker restarts: reconnecting now needs a name lookup
      await cloud.up();
    }
    const lost = await waitUntil(
      async () => ((await cloudState(lab)) !== 'connected' ? true : null),
      15_000,
      'the hub to notice the cloud is gone',
    ).catch(() => false);
    checks.check(
      'the hub noticed the cloud was gone',
      lost === true,
      `cloud-sync state: ${await cloudState(lab)}`,
    );

    const hubRun = await scheduleSoon(
      lab,
      'drill-hub-run',
      lights[0] as string,
      { capability: 'power', value: true },
      4000,
    );
    const deviceRun = await scheduleSoon(
      lab,
      'drill-device-run',
      feeder,
      { capability: 'feed', params: { portions: 1 } },
      4000,
    );
    await waitInSync(lab, 'drill-device-run');
    const during = await lanCommands(lab, lights, size.commands, 1);
    checks.figure('LAN command p50 with the cloud away, ms', during.p50);
    checks.figure('LAN command p99 with the cloud away, ms', during.p99);
    checks.check(
      'LAN control unaffected',
      during.failed === 0 && during.max <= LAN_BOUND_MS,
      `${size.commands - during.failed}/${size.commands} commands done; p50 ${during.p50} ms (${before.p50} ms with the cloud up), slowest ${during.max} ms`,
    );
    for (const [id, due] of [
      ['drill-hub-run', hubRun.due],
      ['drill-device-run', deviceRun.due],
    ] as const) {
      const run = await waitForRun(lab, id, due - Date.now() + 15_000);
      const late = run ? run.ranAt - due : Number.NaN;
      checks.check(
        `schedule ${id} ran on time`,
        run?.status === 'ok' && late >= 0 && late <= ON_TIME_MS,
        run ? `${run.status}, by the ${run.by}, ${late} ms after it was due` : 'it never ran',
      );
    }
    const queued = await lab.metric('hearth_cloud_outbox_depth');
    checks.figure('cloud queue at its peak', queued);
    checks.check('the cloud queue grew', queued > 0, `${queued} changes waiting on disk`);

    // The repair.
    const t0 = performance.now();
    if (fault === 'dns-fail') writeFileSync(dnsFile, 'up');
    else await cloud.up();
    const drained = await waitUntil(
      async () =>
        (await lab.metric('hearth_cloud_outbox_depth')) === 0 && (await cloudState(lab)) === 'connected',
      60_000,
      'the cloud queue to drain',
    ).catch(() => false);
    checks.figure('drained after repair, s', (performance.now() - t0) / 1000);
    checks.check(
      'the cloud queue drained',
      drained === true,
      `depth now ${await lab.metric('hearth_cloud_outbox_depth')}`,
    );
    checkDelivered(checks, cloud.received(), await finalBrightness(lab, lights), feeder);
  } finally {
    await lab.close();
    await cloud.close();
  }
}

async function cloudState(lab: Lab): Promise<string> {
  const { body } = await lab.api('GET', '/api/v1/health');
  const components = body.components as Record<string, { detail?: { state?: string } }>;
  const entry = Object.entries(components ?? {}).find(([name]) => name.includes('cloud'));
  return entry?.[1].detail?.state ?? 'absent';
}

/** Sequential brightness commands over HTTP, cycling through the lights; latency figures. */
async function lanCommands(lab: Lab, lights: string[], count: number, salt: number) {
  const ms: number[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const id = lights[i % lights.length] as string;
    const t0 = performance.now();
    const { status } = await lab
      .api('POST', `/api/v1/devices/${id}/commands`, {
        capability: 'brightness',
        value: 1 + ((i * 13 + salt * 7) % 100),
      })
      .catch(() => ({ status: 0 }));
    ms.push(performance.now() - t0);
    if (status !== 200) failed++;
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1), failed };
}

async function finalBrightness(lab: Lab, lights: string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const id of lights) {
    const { body } = await lab.api('GET', `/api/v1/devices/${id}`);
    out.set(id, (body.reported as Record<string, unknown>)?.brightness);
  }
  return out;
}

/** The cloud's last state of every light is the light's own; the feeder's feed reached it. */
function checkDelivered(
  checks: DrillChecks,
  received: CloudMessage[],
  lights: Map<string, unknown>,
  feeder: string,
) {
  const last = new Map<string, unknown>();
  for (const m of received) {
    if (m.body.kind !== 'state') continue;
    const values = (m.body.data as { values?: Record<string, unknown> })?.values;
    if (values && 'brightness' in values) last.set(String(m.body.deviceId), values.brightness);
  }
  const stale = [...lights].filter(([id, value]) => last.get(id) !== value);
  checks.check(
    'the cloud caught up with every light',
    stale.length === 0,
    stale.length === 0
      ? `${lights.size} lights: the cloud's latest state matches the device`
      : `${stale.length} differ, e.g. ${stale[0]?.[0]}: cloud ${String(last.get(stale[0]?.[0] ?? ''))}, device ${String(stale[0]?.[1])}`,
  );
  const fed = received.filter(
    (m) =>
      m.body.kind === 'event' &&
      m.body.deviceId === feeder &&
      (m.body.data as { type?: string })?.type === 'fed',
  );
  const keys = new Set(fed.map((m) => m.body.key));
  checks.check(
    'the scheduled feed reached the cloud once',
    keys.size === 1,
    `${keys.size} distinct fed event(s) (${fed.length} deliveries)`,
  );
}
