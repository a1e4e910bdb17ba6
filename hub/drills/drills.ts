// The drill catalogue: each scenario of an outage story, what it checks, and its size. The CLI runs
// the full size; the automated tests run the same code, smaller.
import { createLab, type LabOptions } from './lab.js';
import { DrillChecks, type DrillReport } from './report.js';
import { badUpdateDrill } from './scenarios/bad-update.js';
import { cloudOutageDrill } from './scenarios/cloud-outage.js';
import { hubCrashDrill } from './scenarios/hub-crash.js';
import { hubOutageDrill } from './scenarios/hub-outage.js';
import { noNtpDrill } from './scenarios/no-ntp.js';
import { reconnectSurgeDrill } from './scenarios/reconnect-surge.js';

export interface DrillSize {
  /** Simulated devices (lights; plus feeders where the scenario uses them). */
  devices: number;
  /** Commands in the scenario's burst or LAN check. */
  commands: number;
  /** How long the outage lasts, for scenarios that stage one of a set length (hub-outage). */
  seconds?: number;
}

export interface Drill {
  summary: string;
  size: DrillSize;
  /** `lab` sets up the drill's hub (its config: e.g. mosquitto as its broker); the cloud drills keep their own. */
  run(checks: DrillChecks, size: DrillSize, lab?: LabOptions): Promise<void>;
}

/** A drill on a fresh lab (hub process, temp data); the lab is always torn down. */
const inLab =
  (fn: (lab: Awaited<ReturnType<typeof createLab>>, checks: DrillChecks, size: DrillSize) => Promise<void>) =>
  async (checks: DrillChecks, size: DrillSize, options?: LabOptions) => {
    const lab = await createLab(options);
    try {
      await fn(lab, checks, size);
    } finally {
      await lab.close();
    }
  };

const cloud = (fault: 'wan-down' | 'cloud-blackhole' | 'dns-fail', what: string): Drill => ({
  summary: `${what}: LAN control and schedules carry on, the cloud queue grows and drains after`,
  size: { devices: 50, commands: 200 },
  run: (checks, size) => cloudOutageDrill(fault, checks, { lights: size.devices, commands: size.commands }),
});

const crash = (signal: 'SIGTERM' | 'SIGKILL', what: string): Drill => ({
  summary: `${what} mid-burst of commands: nothing acknowledged is lost, no action runs twice, devices reconcile`,
  size: { devices: 200, commands: 1000 },
  run: inLab((lab, checks, size) =>
    hubCrashDrill(lab, checks, signal, {
      lights: size.devices - Math.ceil(size.commands / 100),
      feeders: Math.ceil(size.commands / 100),
      commands: size.commands,
    }),
  ),
});

export const DRILLS: Record<string, Drill> = {
  'wan-down': cloud('wan-down', 'the internet link is down (cloud refuses)'),
  'cloud-blackhole': cloud('cloud-blackhole', 'the cloud accepts connections and never answers'),
  'dns-fail': cloud('dns-fail', "the cloud's name stops resolving"),
  'hub-restart': crash('SIGTERM', 'the hub restarts'),
  'hub-kill': crash('SIGKILL', 'the hub is killed (power cut)'),
  'hub-outage': {
    summary:
      'the hub is away for a while (--seconds, default 45): every device is back within 5 s of its return, no desired state lost',
    size: { devices: 200, commands: 0, seconds: 45 },
    run: inLab((lab, checks, size) =>
      hubOutageDrill(lab, checks, { devices: size.devices, seconds: size.seconds ?? 45, withinS: 5 }),
    ),
  },
  'reconnect-surge': {
    summary:
      'every device drops and returns at once (on mosquitto: mosquitto restarts): all reconnect, the API keeps answering, no desired state lost',
    size: { devices: 1000, commands: 0 },
    run: inLab((lab, checks, size) =>
      reconnectSurgeDrill(lab, checks, { devices: size.devices, withinS: 10 }),
    ),
  },
  'bad-update': {
    summary:
      'a build that crashes at boot is rolled out: the canary rolls back by itself, the rollout halts, no other device leaves the old version, no feed missed',
    size: { devices: 20, commands: 0 },
    run: inLab((lab, checks, size) =>
      badUpdateDrill(lab, checks, { devices: size.devices, healthMs: 10_000 }),
    ),
  },
  'no-ntp': {
    summary: "a feeder with a wrong clock and no NTP follows the hub's time and feeds on schedule",
    size: { devices: 2, commands: 0 },
    run: inLab((lab, checks) => noNtpDrill(lab, checks)),
  },
};

export async function runDrill(
  name: string,
  size?: Partial<DrillSize>,
  lab?: LabOptions,
): Promise<DrillReport> {
  const drill = DRILLS[name];
  if (!drill) throw new Error(`unknown drill "${name}"`);
  const checks = new DrillChecks();
  const t0 = performance.now();
  try {
    await drill.run(checks, { ...drill.size, ...size }, lab);
  } catch (err) {
    checks.check('the drill ran to the end', false, (err as Error).message);
  }
  return {
    scenario: name,
    passed: checks.checks.length > 0 && checks.checks.every((c) => c.ok),
    seconds: (performance.now() - t0) / 1000,
    checks: checks.checks,
    figures: checks.figures,
  };
}
