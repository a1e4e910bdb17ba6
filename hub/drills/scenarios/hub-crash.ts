// hub-restart and hub-kill: a burst of commands (brightness settings to lights, feed actions to
// feeders) and, halfway through, the hub is stopped (SIGTERM) or killed (SIGKILL) and started
// again. Nothing acknowledged to a caller may be lost, no action may be performed twice, and every
// device must reconcile with what the hub last accepted for it.
import { acknowledged, type CommandOutcome, commandBurst, type PlannedCommand } from '../command-burst.js';
import { type Lab, waitUntil } from '../lab.js';
import type { DrillChecks } from '../report.js';

export interface HubCrashSize {
  lights: number;
  feeders: number;
  commands: number;
}

/** A feeder's hopper holds 20 portions (5 % each): at most 20 feeds per feeder. */
const PORTION_PERCENT = 5;

export async function hubCrashDrill(
  lab: Lab,
  checks: DrillChecks,
  signal: 'SIGTERM' | 'SIGKILL',
  size: HubCrashSize,
): Promise<void> {
  const feedsPerFeeder = Math.ceil(size.commands / 5 / Math.max(size.feeders, 1));
  if (size.feeders > 0 && feedsPerFeeder > 100 / PORTION_PERCENT)
    throw new Error(`too few feeders: ${feedsPerFeeder} feeds each would empty their hoppers`);
  await lab.startHub();
  const lights = (await lab.fleet('light', size.lights)).ids;
  const feeders = size.feeders > 0 ? (await lab.fleet('feeder', size.feeders)).ids : [];
  const total = lights.length + feeders.length;

  // Every fifth command feeds; the rest set a light's brightness.
  const plan: PlannedCommand[] = Array.from({ length: size.commands }, (_, i) =>
    i % 5 === 4 && feeders.length > 0
      ? {
          deviceId: feeders[Math.floor(i / 5) % feeders.length] as string,
          capability: 'feed',
          params: { portions: 1 },
        }
      : {
          deviceId: lights[i % lights.length] as string,
          capability: 'brightness',
          value: 1 + ((i * 7) % 100),
        },
  );
  let crash: Promise<void> | undefined;
  const outcomes = await commandBurst(lab, plan, (answered) => {
    if (answered === Math.floor(size.commands / 2)) crash = lab.stopHub(signal);
  });
  await crash;
  const acked = outcomes.filter(acknowledged);
  const unanswered = outcomes.filter((o) => o.status === 'no answer');
  checks.figure('commands acknowledged', acked.length);
  checks.figure('commands with no answer', unanswered.length);
  checks.check(
    'the burst was cut mid-way',
    acked.length > 0 && unanswered.length > 0,
    `${acked.length} acknowledged before the ${signal}, ${unanswered.length} got no answer`,
  );
  const refused = outcomes.filter((o) => typeof o.status === 'number' && !acknowledged(o));
  checks.check(
    'no command refused before the crash',
    refused.length === 0,
    refused.length === 0 ? 'every answer was 200 or 202' : `${refused.length} answered ${refused[0]?.status}`,
  );

  const restart = performance.now();
  await lab.startHub();
  const back = await waitUntil(
    async () => ((await lab.metric('hearth_devices_online')) >= total ? performance.now() : null),
    60_000,
    `${total} devices online again`,
  ).catch(() => null);
  if (back !== null) checks.figure('all devices back after restart, s', (back - restart) / 1000);
  checks.check(
    'every device came back',
    back !== null,
    back !== null
      ? `${total} online ${((back - restart) / 1000).toFixed(1)} s after the hub was started again`
      : `only ${await lab.metric('hearth_devices_online')} of ${total}`,
  );

  // Every acknowledged command is still known and ends done: delivered (again, if need be) and acked.
  const openOnes = async () => {
    const open: CommandOutcome[] = [];
    for (const o of acked) {
      const { status, body } = await lab.api('GET', `/api/v1/commands/${o.commandId}`);
      if (status !== 200 || body.status !== 'done') open.push(o);
    }
    return open;
  };
  let open = acked;
  await waitUntil(
    async () => {
      open = await openOnes();
      return open.length === 0;
    },
    60_000,
    'acknowledged commands done',
  ).catch(() => undefined);
  checks.check(
    'no acknowledged command lost',
    open.length === 0,
    open.length === 0
      ? `all ${acked.length} acknowledged commands are done`
      : `${open.length} not done, e.g. ${open[0]?.commandId} to ${open[0]?.deviceId}`,
  );

  await checkLights(lab, checks, lights, outcomes);
  if (feeders.length > 0) await checkFeeders(lab, checks, feeders);
}

/** Each light shows the last value the hub acknowledged, or a later one whose answer was lost. */
async function checkLights(lab: Lab, checks: DrillChecks, lights: string[], outcomes: CommandOutcome[]) {
  const wrong: string[] = [];
  const settled = await waitUntil(
    async () => {
      wrong.length = 0;
      for (const id of lights) {
        const chain = outcomes.filter((o) => o.deviceId === id).sort((a, b) => a.order - b.order);
        const lastAcked = chain.findLastIndex(acknowledged);
        if (lastAcked < 0) continue;
        const allowed = chain.slice(lastAcked).filter((o, i) => i === 0 || o.status === 'no answer');
        const { body } = await lab.api('GET', `/api/v1/devices/${id}`);
        const reported = (body.reported as Record<string, unknown>)?.brightness;
        const desired = (body.desired as Record<string, unknown>)?.brightness;
        if (!allowed.some((o) => o.value === reported) || desired !== reported)
          wrong.push(
            `${id}: reported ${String(reported)}, desired ${String(desired)}, last acknowledged ${String(chain[lastAcked]?.value)}`,
          );
      }
      return wrong.length === 0;
    },
    30_000,
    'lights to reconcile',
  ).catch(() => false);
  checks.check(
    'lights reconciled with the last acknowledged setting',
    settled === true,
    settled
      ? `${lights.length} lights report what the hub accepted last`
      : `${wrong.length} differ, e.g. ${wrong[0]}`,
  );
}

/** A feeder's hopper fell by exactly one portion per feed the hub logged as done: none twice. */
async function checkFeeders(lab: Lab, checks: DrillChecks, feeders: string[]) {
  const wrong: string[] = [];
  let feeds = 0;
  const settled = await waitUntil(
    async () => {
      wrong.length = 0;
      feeds = 0;
      for (const id of feeders) {
        const { body: log } = await lab.api('GET', `/api/v1/devices/${id}/commands?limit=500`);
        const list = log.commands as Array<{ capability: string; status: string }>;
        if (list.some((c) => c.status === 'pending' || c.status === 'sent')) {
          wrong.push(`${id}: commands still open`);
          continue;
        }
        const done = list.filter((c) => c.capability === 'feed' && c.status === 'done').length;
        feeds += done;
        const { body } = await lab.api('GET', `/api/v1/devices/${id}`);
        const hopper = (body.reported as Record<string, unknown>)?.hopper;
        if (hopper !== 100 - done * PORTION_PERCENT)
          wrong.push(`${id}: ${done} feeds done, hopper ${String(hopper)} %`);
      }
      return wrong.length === 0;
    },
    30_000,
    'feeders to settle',
  ).catch(() => false);
  checks.check(
    'no feed performed twice or unlogged',
    settled === true,
    settled
      ? `${feeds} feeds on ${feeders.length} feeders, each hopper down by exactly that many portions`
      : wrong.join('; '),
  );
}
