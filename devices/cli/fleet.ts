// `hearth fleet --model light --count 1000`: registers N devices with the hub, boots them all in
// this process (images in memory, flash in a temp folder unless --flash-dir) and reports how many
// came online, how fast, and what a device costs in memory. For load tests and drills.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { MODEL_NAMES } from '../models/index.js';
import { bootFleet } from './fleet-boot.js';
import { hubOnlineCount, registerFleet, removeFleet } from './fleet-register.js';
import { checkModel, DATA_DIR_FLAG, HUB_FLAG, hubFromFlags, TOKEN_FLAG } from './hub-flags.js';
import { reportFailure, tokenFrom } from './output.js';
import { createProgress, type Progress } from './progress.js';
import { printLine, serveUntilSignal } from './serve.js';

export const fleetSpec: CommandSpec = {
  usage: 'hearth fleet --model MODEL --count N [--hub URL] [--token TOKEN] [--exit] [--json]',
  summary: 'Register and boot a fleet of simulated devices in one process; print how many are online.',
  options: {
    model: {
      type: 'string',
      value: 'MODEL',
      description: `one of ${MODEL_NAMES.join(', ')} (default light)`,
    },
    count: { type: 'string', value: 'N', description: 'how many devices (default 10, at most 20000)' },
    hub: HUB_FLAG,
    token: TOKEN_FLAG,
    prefix: {
      type: 'string',
      value: 'NAME',
      description: 'device names are "<prefix> <n>" (default "fleet <model>")',
    },
    'flash-dir': {
      type: 'string',
      value: 'DIR',
      description: 'keep flash files here (default: a temp folder, removed at exit)',
    },
    tls: {
      type: 'boolean',
      description: "devices get the hub's CA and connect over MQTT over TLS (default: plain MQTT)",
    },
    'data-dir': DATA_DIR_FLAG,
    timeout: {
      type: 'string',
      value: 'SECONDS',
      description: 'how long to wait for everyone to come online (default 60)',
    },
    exit: { type: 'boolean', description: 'stop the fleet after the summary (default: run until Ctrl-C)' },
    remove: {
      type: 'boolean',
      description: 'delete the registered devices from the hub when the fleet stops',
    },
    'release-key': {
      type: 'string',
      value: 'FILE',
      description: 'release public key to flash (default: release.pub in the release folder, if there)',
    },
    'ota-health-ms': {
      type: 'string',
      value: 'MS',
      description: 'how long new firmware has to confirm its health (default 60000)',
    },
    json: { type: 'boolean', description: 'JSON lines on stdout' },
  },
  notes: ['Example: hearth fleet --model light --count 1000 --token $TOKEN --exit'],
};

/** What the flags ask for, checked: every bad value is refused before anything is registered. */
interface FleetPlan {
  v: Record<string, string | boolean | undefined>;
  json: boolean;
  model: string;
  count: number;
  timeoutS: number;
  token: string;
  prefix: string;
  otaHealthMs: number | undefined;
}

function fleetPlan(parsed: NonNullable<ReturnType<typeof parseCommand>>): FleetPlan {
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const json = v.json === true;
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
  const model = (v.model as string | undefined) ?? 'light';
  checkModel(model);
  const count = v.count === undefined ? 10 : Number(v.count);
  if (!Number.isInteger(count) || count < 1 || count > 20_000)
    throw new UsageError('--count is a whole number from 1 to 20000');
  const timeoutS = v.timeout === undefined ? 60 : Number(v.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError('--timeout is a number of seconds');
  const token = tokenFrom(v.token as string | undefined, process.env);
  if (!token) throw new UsageError('an admin token is required: --token TOKEN or HEARTH_TOKEN');
  const prefix = (v.prefix as string | undefined) ?? `fleet ${model}`;
  const otaHealthMs = v['ota-health-ms'] === undefined ? undefined : Number(v['ota-health-ms']);
  if (otaHealthMs !== undefined && (!Number.isInteger(otaHealthMs) || otaHealthMs < 100))
    throw new UsageError('--ota-health-ms is a whole number of ms, at least 100');
  return { v, json, model, count, timeoutS, token, prefix, otaHealthMs };
}

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(fleetSpec, args);
    if (!parsed) return 0;
    const plan = fleetPlan(parsed);
    const ownFlash = plan.v['flash-dir'] === undefined;
    const flashDir = ownFlash
      ? mkdtempSync(join(tmpdir(), 'hearth-fleet-'))
      : resolve(plan.v['flash-dir'] as string);
    const progress = createProgress(process.stderr, !plan.json);
    try {
      return await runFleet(plan, flashDir, progress);
    } catch (err) {
      progress.done();
      return reportFailure(err, plan.json, 'fleet');
    } finally {
      if (ownFlash) rmSync(flashDir, { recursive: true, force: true });
    }
  });
}

/** Registers, boots and reports the fleet; then stops it (--exit) or serves until a signal. */
async function runFleet(plan: FleetPlan, flashDir: string, progress: Progress) {
  const { v, json, model, count, token } = plan;
  const registered: string[] = [];
  const { hub, releaseKey } = await hubFromFlags(v);
  const t0 = performance.now();
  const images = await registerFleet(
    { hub, token, model, count, prefix: plan.prefix, tls: v.tls === true, releaseKey },
    registered,
    progress,
  );
  progress.done();
  const registerMs = Math.round(performance.now() - t0);
  const booted = await bootFleet(
    images,
    { flashDir, otaHealthMs: plan.otaHealthMs, timeoutS: plan.timeoutS, json },
    progress,
  );
  const { host, connectMs, ...cost } = booted;
  const hubOnline = await hubOnlineCount(hub.url, token, registered);
  const online = host.onlineCount();
  const summary = { event: 'summary', model, count, online, hubOnline, registerMs, connectMs, ...cost };
  printLine(
    json,
    summary,
    `${online}/${count} ${model}s online in ${(connectMs / 1000).toFixed(1)} s (hub sees ${hubOnline ?? '?'}); registered in ${(registerMs / 1000).toFixed(1)} s; RSS ${summary.rssMB} MB, ~${summary.perDeviceKB} KB per device`,
  );
  let code: number;
  if (v.exit === true) {
    await host.stopAll();
    code = online === count ? 0 : 1;
  } else code = await serveUntilSignal(host, json);
  if (v.remove === true) await removeFleet(hub.url, token, registered);
  return code;
}
