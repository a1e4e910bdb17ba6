// `hearth device run IMAGE…`: boots firmware images in this process (one or many), prints when
// each goes online/offline, and takes fault-switch control lines on stdin.
// `hearth device inspect IMAGE`: prints an image's header and identity (never its secret); with
// `--label`, a factory image's label (claim id and setup code, text and QR).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatSetupCode } from '../../shared/adoption-crypto.js';
import { type CommandSpec, parseCommand, UsageError } from '../../shared/cli.js';
import { HearthError } from '../../shared/errors.js';
import { decodeImage, type FirmwareImage } from '../../shared/firmware-image.js';
import { type ControlLine, parseControlLine } from '../host/control.js';
import { createDeviceHost } from '../host/device-host.js';
import { createDeviceLogger, type DeviceLogLevel } from '../log.js';
import { runForeign } from './foreign-run.js';
import { reportFailure } from './output.js';
import { printLine, serveUntilSignal } from './serve.js';
import { renderLabel } from './setup-label.js';
import { runSubcommand } from './subcommands.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const deviceRunSpec: CommandSpec = {
  usage: 'hearth device run IMAGE… [--flash-dir DIR] [--json] | hearth device run --foreign KIND --mqtt URL',
  summary: 'Boot simulated devices from firmware images, in this process, until Ctrl-C.',
  options: {
    'flash-dir': {
      type: 'string',
      value: 'DIR',
      description: "where each device keeps its flash (default: the first image's folder)",
    },
    clock: {
      type: 'string',
      value: 'SOURCE',
      description: 'system (default) or hub: no clock until hearth/hub/time arrives',
    },
    'clock-offset': {
      type: 'string',
      value: 'MS',
      description:
        "how far off the device's own clock is, as on a device with no NTP (default 0); with --clock hub it follows the hub once it hears the time",
    },
    'tick-ms': {
      type: 'string',
      value: 'MS',
      description: 'how often thermostats and plugs update (default 5000)',
    },
    'log-level': {
      type: 'string',
      value: 'LEVEL',
      description: 'fatal … trace, or silent (default warn); logs go to stderr',
    },
    fault: {
      type: 'string',
      multiple: true,
      value: 'JSON',
      description: 'a control line to apply at boot, e.g. \'{"fault":"slow-acks","ms":5000}\' (repeatable)',
    },
    'ota-health-ms': {
      type: 'string',
      value: 'MS',
      description: 'how long new firmware has to confirm its health before it rolls back (default 60000)',
    },
    json: {
      type: 'boolean',
      description: 'JSON lines on stdout (online/offline, firmware updates, control replies)',
    },
    foreign: {
      type: 'string',
      value: 'KIND',
      description:
        'no image: a device that speaks Home Assistant discovery (tasmota-plug, z2m-light, esphome-switch)',
    },
    mqtt: { type: 'string', value: 'URL', description: '--foreign: the broker, e.g. mqtt://127.0.0.1:1883' },
    username: { type: 'string', value: 'NAME', description: '--foreign: MQTT user (hearth mqtt-users add)' },
    password: {
      type: 'string',
      value: 'PW',
      description: '--foreign: its password (or HEARTH_MQTT_PASSWORD)',
    },
    id: {
      type: 'string',
      value: 'ID',
      description: '--foreign: the device id in its topics (default random)',
    },
    name: { type: 'string', value: 'NAME', description: '--foreign: the name it announces' },
  },
  notes: [
    'Control lines on stdin (JSON, one per line; "device" defaults to all):',
    '  {"device":"tv-1","fault":"drop"}   {"fault":"freeze","on":true}   {"fault":"slow-acks","ms":2000}',
    '  {"fault":"reboot"}   {"fault":"jam","on":true}   {"sense":{"contact":false}}   {"do":"status"}',
  ],
};

const inspectSpec: CommandSpec = {
  usage: 'hearth device inspect IMAGE [--label] [--json]',
  summary: 'Check a firmware image and print its header and identity (not its secret).',
  options: {
    json: { type: 'boolean', description: 'print JSON' },
    label: {
      type: 'boolean',
      description: "print a factory image's label instead: claim id and setup code, as text and QR",
    },
  },
};

async function loadImage(path: string): Promise<FirmwareImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new HearthError('not_found', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    return decodeImage(bytes);
  } catch (err) {
    throw new HearthError('invalid_payload', `${path}: ${(err as Error).message}`);
  }
}

async function runDevices(args: string[]): Promise<number> {
  const parsed = parseCommand(deviceRunSpec, args);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const json = v.json === true;
  if (v.foreign !== undefined) return runForeign(v);
  if (parsed.positionals.length === 0) throw new UsageError('which image(s)? hearth device run IMAGE…');
  const clock = (v.clock as string | undefined) ?? 'system';
  if (clock !== 'system' && clock !== 'hub') throw new UsageError('--clock is system or hub');
  const clockOffsetMs = v['clock-offset'] === undefined ? 0 : Number(v['clock-offset']);
  if (!Number.isInteger(clockOffsetMs)) throw new UsageError('--clock-offset is a whole number of ms');
  const level = (v['log-level'] as string | undefined) ?? 'warn';
  if (!LEVELS.includes(level)) throw new UsageError(`--log-level is one of ${LEVELS.join(', ')}`);
  const tickMs = v['tick-ms'] === undefined ? 5000 : Number(v['tick-ms']);
  if (!Number.isInteger(tickMs) || tickMs < 10)
    throw new UsageError('--tick-ms is a whole number of ms, at least 10');
  const otaHealthMs = v['ota-health-ms'] === undefined ? undefined : Number(v['ota-health-ms']);
  if (otaHealthMs !== undefined && (!Number.isInteger(otaHealthMs) || otaHealthMs < 100))
    throw new UsageError('--ota-health-ms is a whole number of ms, at least 100');
  try {
    const paths = parsed.positionals.map((p) => resolve(p));
    const images = await Promise.all(paths.map(loadImage));
    const host = createDeviceHost({
      flashDir: resolve((v['flash-dir'] as string | undefined) ?? dirname(paths[0] as string)),
      log: createDeviceLogger(level as DeviceLogLevel),
      clock,
      clockOffsetMs,
      tickMs,
      ...(otaHealthMs ? { otaHealthMs } : {}),
      onOta: (d, p) =>
        printLine(
          json,
          { event: 'ota', device: d.id, ...p },
          `${d.id} firmware ${p.version}: ${p.phase}${p.detail ? ` (${p.detail})` : ''}`,
        ),
      onChange: (d) =>
        printLine(
          json,
          { event: d.online ? 'online' : 'offline', device: d.id },
          `${d.id} ${d.online ? 'online' : 'offline'}`,
        ),
    });
    const atBoot = ((v.fault as unknown as string[] | undefined) ?? []).map((line) => {
      try {
        return parseControlLine(line);
      } catch (err) {
        throw new UsageError(`--fault ${line}: ${(err as Error).message}`);
      }
    });
    for (const image of images) host.add(image);
    // Runtime switches (freeze, slow acks) hold from the first packet; the rest need a running device.
    const early = (l: ControlLine) =>
      l.action.kind === 'fault' &&
      ['freeze', 'slow-acks', 'drop-download', 'slow-slot-write'].includes(l.action.fault.fault);
    try {
      for (const line of atBoot.filter(early)) await host.control(line);
      await host.startAll();
      for (const line of atBoot.filter((l) => !early(l))) await host.control(line);
    } catch (err) {
      host.killAll();
      throw err;
    }
    printLine(
      json,
      { event: 'booted', devices: host.devices.map((d) => d.id) },
      `booted ${host.devices.map((d) => d.id).join(', ')}`,
    );
    return await serveUntilSignal(host, json);
  } catch (err) {
    return reportFailure(err, json, 'device run');
  }
}

async function inspect(args: string[]): Promise<number> {
  const parsed = parseCommand(inspectSpec, args);
  if (!parsed) return 0;
  const json = parsed.values.json === true;
  const [path] = parsed.positionals;
  if (!path || parsed.positionals.length > 1) throw new UsageError('give exactly one image');
  try {
    const { header, body } = await loadImage(resolve(path));
    const { setupCode, ...identity } = body.identity;
    if (parsed.values.label === true) {
      if (!setupCode || !identity.claimId)
        throw new HearthError(
          'unsupported',
          `${path} is not a factory image with a setup code: it has no label`,
        );
      if (json)
        process.stdout.write(
          `${JSON.stringify({ claimId: identity.claimId, setupCode: formatSetupCode(setupCode), model: identity.model })}\n`,
        );
      else
        process.stdout.write(
          await renderLabel({ model: identity.model, claimId: identity.claimId, setupCode }),
        );
      return 0;
    }
    // The setup code is shown only on the label (--label), like the secret it is.
    const view = {
      header,
      identity: { ...identity, hasSetupCode: setupCode !== undefined },
      hub: body.hub,
      hasCredentials: body.credentials !== null,
      releaseKey: body.release?.publicKey ?? null,
      createdAt: body.createdAt,
    };
    process.stdout.write(json ? `${JSON.stringify(view)}\n` : `${JSON.stringify(view, null, 2)}\n`);
    return 0;
  } catch (err) {
    return reportFailure(err, json, 'device inspect');
  }
}

export function run(args: string[]): Promise<number> {
  return runSubcommand(args, { run: runDevices, inspect }, (sub) => {
    if (sub === undefined || sub === '-h' || sub === '--help') {
      process.stdout.write(
        'Usage: hearth device run IMAGE… | hearth device inspect IMAGE  (--help on each)\n',
      );
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown device subcommand "${sub}"; try: hearth device run IMAGE…`);
  });
}
