// bad-update: the outage behind Hearth's update design, a faulty update pushed to every machine at
// once. A fleet of feeders is offered a build that crashes at boot, through a staged rollout: the
// canary takes it, crashes, and its boot loader puts the old firmware back by itself; the rollout
// halts; no other feeder is offered it or leaves the old version; the canary's feed, due while it
// updates, runs exactly once.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { hearthBin } from '../hub-process.js';
import { type Lab, waitUntil } from '../lab.js';
import type { DrillChecks } from '../report.js';
import { scheduleSoon, waitForRun, waitInSync } from '../schedule-probe.js';

const WRITE_MS_PER_CHUNK = 250;
const FEED_AFTER_OFFER_MS = 2000;

interface RolloutBody {
  id: string;
  status: string;
  createdAt: number;
  haltedReason: string | null;
  devices: Array<{
    deviceId: string;
    wave: number;
    status: string;
    reason: string | null;
    offeredAt: number | null;
    doneAt: number | null;
  }>;
}

export async function badUpdateDrill(
  lab: Lab,
  checks: DrillChecks,
  size: { devices: number; healthMs: number },
): Promise<void> {
  await lab.startHub();
  const hearth = (...args: string[]) =>
    execFileSync(process.execPath, [hearthBin, ...args, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, HEARTH_TOKEN: '' },
    });
  const keys = join(lab.dir, 'release');
  hearth('firmware', 'keygen', '--out', keys);
  const feeders = await lab.fleet('feeder', size.devices, [
    '--release-key',
    join(keys, 'release.pub'),
    '--ota-health-ms',
    String(size.healthMs),
  ]);
  const image = join(lab.dir, 'feeder-1.1.0-bad.hup');
  hearth(
    'firmware',
    'build',
    'feeder',
    '--version',
    '1.1.0',
    '--bad',
    'crash-at-boot',
    '--size',
    '262144',
    '--key',
    join(keys, 'release.key'),
    '--out',
    image,
  );
  hearth('firmware', 'upload', image, '--hub', lab.baseUrl, '--token', lab.token);
  const canary = [...feeders.ids].sort()[0] as string;
  // The canary writes its slot slowly (a flash chip's pace, ~4 s for 256 KiB) and its feed falls
  // due in the middle of it: it must feed once, from the old firmware.
  feeders.send({ device: canary, fault: 'slow-slot-write', ms: WRITE_MS_PER_CHUNK });
  const feed = { capability: 'feed', params: { portions: 1 } };
  const { due } = await scheduleSoon(lab, 'drill-feed-during-update', canary, feed, 6000);
  await waitInSync(lab, 'drill-feed-during-update');
  await new Promise((r) => setTimeout(r, Math.max(0, due - FEED_AFTER_OFFER_MS - Date.now())));

  const started = await lab.api('POST', '/api/v1/firmware/rollouts', {
    model: 'feeder',
    version: '1.1.0',
    canary: 1,
    waves: [10, 50, 100],
    maxFailures: 1,
  });
  const rollout = started.body as unknown as RolloutBody;
  checks.check('the rollout started', started.status === 201, `answered ${started.status}`);
  const halted = await waitUntil(
    async () => {
      const r = (await lab.api('GET', `/api/v1/firmware/rollouts/${rollout.id}`))
        .body as unknown as RolloutBody;
      return r.status !== 'running' ? r : null;
    },
    size.healthMs + 30_000,
    'the rollout to end',
  );
  const backMs = Date.now() - rollout.createdAt;
  checks.figure('offer → canary back on the old version, s', backMs / 1000);
  checks.check(
    'the rollout halted at the canary',
    halted.status === 'halted',
    `${halted.status}: ${halted.haltedReason ?? ''}`,
  );
  const canaryRow = halted.devices.find((d) => d.deviceId === canary);
  checks.check(
    'the canary rolled back by itself',
    canaryRow?.status === 'rolled-back',
    `${canaryRow?.status}: ${canaryRow?.reason ?? ''}`,
  );
  const offeredOthers = halted.devices.filter((d) => d.deviceId !== canary && d.status !== 'waiting');
  checks.check('no other feeder was offered it', offeredOthers.length === 0, `${offeredOthers.length} were`);
  const fleet = await waitUntil(
    async () => {
      const list = (await lab.api('GET', '/api/v1/devices')).body.devices as Array<{
        id: string;
        firmware: string | null;
        online: boolean;
      }>;
      const mine = list.filter((d) => feeders.ids.includes(d.id));
      return mine.every((d) => d.online) ? mine : null;
    },
    30_000,
    'every feeder online',
  );
  const moved = fleet.filter((d) => d.firmware !== '1.0.0');
  checks.check(
    'every feeder is on the old version',
    moved.length === 0,
    moved.length ? `${moved.map((d) => `${d.id} ${d.firmware}`).join(', ')}` : `${fleet.length} on 1.0.0`,
  );
  const run = await waitForRun(lab, 'drill-feed-during-update', Math.max(0, due - Date.now()) + 20_000);
  const { body } = await lab.api('GET', '/api/v1/schedules/drill-feed-during-update/runs');
  const runs = (body.runs ?? []) as unknown[];
  checks.check(
    'the feed due during the update ran exactly once',
    run?.status === 'ok' && runs.length === 1,
    run
      ? `${run.status} by ${run.by}, ${run.ranAt - run.scheduledAt} ms late; ${runs.length} run(s) logged`
      : 'it never ran',
  );
  if (run && canaryRow?.offeredAt && canaryRow.doneAt)
    checks.check(
      'the feed fell due while the canary was updating',
      run.scheduledAt > canaryRow.offeredAt && run.scheduledAt < canaryRow.doneAt,
      `offered ${new Date(canaryRow.offeredAt).toISOString()}, due ${new Date(run.scheduledAt).toISOString()}, rolled back ${new Date(canaryRow.doneAt).toISOString()}`,
    );
  const halts = await lab.metric('hearth_firmware_rollouts_halted_total');
  checks.check('/metrics counts the halt', halts === 1, `hearth_firmware_rollouts_halted_total ${halts}`);
}
