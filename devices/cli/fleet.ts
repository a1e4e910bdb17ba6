// `hearth fleet --model light --count 1000`: registers N devices with the hub, boots them all in
// this process (images in memory, flash in a temp folder unless --flash-dir) and reports how many
// came online, how fast, and what a device costs in memory. For load tests and drills.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import type { FirmwareImage } from '../../shared/firmware-image.js';
import { createDeviceHost } from '../host/device-host.js';
import { createDeviceLogger } from '../log.js';
import { MODEL_NAMES } from '../models/index.js';
import {
  callHub,
  dataDirFrom,
  mqttAddress,
  registerDevice,
  registeredAddress,
  resolveHub,
} from './hub-api.js';
import { buildImage } from './image-builder.js';
import { reportFailure, tokenFrom } from './output.js';
import { createProgress } from './progress.js';
import { releaseKeyToFlash } from './release-files.js';
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
    hub: {
      type: 'string',
      value: 'URL',
      description: 'the hub (default: the running hub in --data-dir, else http://127.0.0.1:8080)',
    },
    token: { type: 'string', value: 'TOKEN', description: 'admin API token (default: $HEARTH_TOKEN)' },
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
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'the hub data directory, to find a running hub',
    },
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

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(fleetSpec, args);
    if (!parsed) return 0;
    const v = parsed.values as Record<string, string | boolean | undefined>;
    const json = v.json === true;
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    const model = (v.model as string | undefined) ?? 'light';
    if (!MODEL_NAMES.includes(model))
      throw new UsageError(`unknown model "${model}"; one of ${MODEL_NAMES.join(', ')}`);
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
    const ownFlash = v['flash-dir'] === undefined;
    const flashDir = ownFlash
      ? mkdtempSync(join(tmpdir(), 'hearth-fleet-'))
      : resolve(v['flash-dir'] as string);
    const progress = createProgress(process.stderr, !json);
    const registered: string[] = [];
    try {
      const hub = resolveHub({
        hub: v.hub as string | undefined,
        dataDir: dataDirFrom(v['data-dir'] as string | undefined, process.env),
      });
      const releaseKey = await releaseKeyToFlash(
        v['release-key'] as string | undefined,
        process.env,
        v['data-dir'] as string | undefined,
      );
      const t0 = performance.now();
      let done = 0;
      const images: FirmwareImage[] = await mapLimit(
        Array.from({ length: count }, (_, i) => i + 1),
        16,
        async (n) => {
          const name = `${prefix} ${n}`.slice(0, 64);
          const reg = await registerDevice(hub.url, token, { name, model });
          registered.push(reg.device.id);
          progress.update(++done / count, `registered ${done}/${count}`);
          return buildImage({
            model,
            name,
            deviceId: reg.device.id,
            secret: reg.secret,
            ...(v.tls === true
              ? { hubAddresses: registeredAddress(hub.url, reg), ...(reg.mqtt.ca ? { ca: reg.mqtt.ca } : {}) }
              : { hubAddresses: [mqttAddress(hub.url, reg.mqtt.port)] }),
            ...(releaseKey ? { releaseKey } : {}),
          }).image;
        },
      );
      progress.done();
      const registerMs = Math.round(performance.now() - t0);
      (globalThis as { gc?: () => void }).gc?.();
      const before = process.memoryUsage();
      const host = createDeviceHost({
        flashDir,
        log: createDeviceLogger('error'),
        keepaliveSec: 60,
        ...(otaHealthMs ? { otaHealthMs } : {}),
        onOta: (d, p) =>
          printLine(json, { event: 'ota', device: d.id, ...p }, `${d.id} firmware ${p.version}: ${p.phase}`),
      });
      for (const image of images) host.add(image);
      const t1 = performance.now();
      const cpu0 = process.cpuUsage();
      await host.startAll(64);
      const deadline = Date.now() + timeoutS * 1000;
      while (host.onlineCount() < count && Date.now() < deadline) {
        progress.update(host.onlineCount() / count, `online ${host.onlineCount()}/${count}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      progress.done();
      const connectMs = Math.round(performance.now() - t1);
      const cpu = process.cpuUsage(cpu0);
      (globalThis as { gc?: () => void }).gc?.();
      const after = process.memoryUsage();
      const ids = new Set(registered);
      const view = (await callHub(hub.url, token, '/api/v1/devices', { method: 'GET' }).catch(
        () => null,
      )) as {
        devices?: Array<{ id: string; online: boolean }>;
      } | null;
      const hubOnline = view?.devices ? view.devices.filter((d) => ids.has(d.id) && d.online).length : null;
      const online = host.onlineCount();
      const summary = {
        event: 'summary',
        model,
        count,
        online,
        hubOnline,
        registerMs,
        connectMs,
        /** CPU this process spent booting and connecting the fleet. */
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        rssMB: mb(after.rss),
        heapMB: mb(after.heapUsed),
        perDeviceKB: Math.round((after.rss - before.rss) / count / 102.4) / 10,
        perDeviceHeapKB: Math.round((after.heapUsed - before.heapUsed) / count / 102.4) / 10,
      };
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
      if (v.remove === true) await removeAll(hub.url, token, registered);
      return code;
    } catch (err) {
      progress.done();
      return reportFailure(err, json, 'fleet');
    } finally {
      if (ownFlash) rmSync(flashDir, { recursive: true, force: true });
    }
  });
}

async function removeAll(hubUrl: string, token: string, ids: string[]): Promise<void> {
  await mapLimit(ids, 16, (id) =>
    callHub(hubUrl, token, `/api/v1/devices/${id}`, { method: 'DELETE' }).catch(() => undefined),
  );
}
