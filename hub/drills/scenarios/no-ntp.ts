// no-ntp: a feeder whose own clock is an hour wrong (no internet, so no NTP) and that follows the
// hub's time (`hearth/hub/time`) runs its schedule on time. A second feeder with the same wrong
// clock that does not follow the hub is the control: it must not run on time, or the drill proves
// nothing.
import type { Lab } from '../lab.js';
import type { DrillChecks } from '../report.js';
import { scheduleSoon, waitForRun, waitInSync } from '../schedule-probe.js';

const SKEW_MS = -3_600_000;
const ON_TIME_MS = 2000;

export async function noNtpDrill(lab: Lab, checks: DrillChecks): Promise<void> {
  await lab.startHub();
  const follower = await lab.device('feeder', ['--clock', 'hub', `--clock-offset=${SKEW_MS}`]);
  const control = await lab.device('feeder', ['--clock', 'system', `--clock-offset=${SKEW_MS}`]);
  const feed = { capability: 'feed', params: { portions: 1 } };
  const a = await scheduleSoon(lab, 'drill-follows-hub', follower.id, feed, 5000);
  const b = await scheduleSoon(lab, 'drill-own-clock', control.id, feed, 5000);
  checks.check(
    'the schedules run on the devices themselves',
    a.runsOn === 'device' && b.runsOn === 'device',
    `runsOn ${a.runsOn} and ${b.runsOn}`,
  );
  await waitInSync(lab, 'drill-follows-hub');
  await waitInSync(lab, 'drill-own-clock');
  const run = await waitForRun(lab, 'drill-follows-hub', a.due - Date.now() + 10_000);
  const late = run ? run.ranAt - a.due : Number.NaN;
  if (run) checks.figure('late by, ms', late);
  checks.check(
    'the feeder following the hub fed on time',
    run?.status === 'ok' && late >= 0 && late <= ON_TIME_MS,
    run
      ? `ran ${late} ms after it was due by the hub's clock, its own clock ${SKEW_MS / 60_000} min off`
      : 'it never ran',
  );
  const stray = await waitForRun(lab, 'drill-own-clock', Math.max(0, b.due - Date.now()) + ON_TIME_MS);
  checks.check(
    'control: the feeder on its own wrong clock did not',
    stray === null,
    stray
      ? `it ran at ${new Date(stray.ranAt).toISOString()}: the drill cannot tell clocks apart`
      : 'no run yet, as expected an hour off',
  );
}
