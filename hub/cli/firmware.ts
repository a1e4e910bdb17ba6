// `hearth firmware upload|images|rollout start|status|halt`: talks to the running hub's API (found
// through <data-dir>/runtime.json, or --hub URL) with an admin token, so the API's rules apply.
// A downgrade is signed here, with the release private key: the hub never holds it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type CommandSpec,
  type ParsedValues,
  parseCommand,
  runCommand,
  UsageError,
} from '../../shared/cli.js';
import { downgradeStatement, loadReleasePrivateKey, signWithReleaseKey } from '../../shared/release-key.js';
import type { ImageView, RolloutView } from '../firmware/schemas.js';
import { parseWaves } from '../firmware/wave-plan.js';
import { loadConfig } from '../infra/config.js';
import { readRuntimeInfo } from '../infra/runtime-file.js';
import { createHubApi, HUB_API_OPTIONS, type HubApi, HubApiError, hubBaseUrl } from './hub-api-client.js';

const spec: CommandSpec = {
  usage: 'hearth firmware <upload IMAGE | images | rollout start|status|halt> [options]',
  summary:
    'Upload signed update images to the hub and roll them out in stages (keygen and build: hearth firmware keygen|build --help).',
  options: {
    model: { type: 'string', value: 'MODEL', description: 'rollout start: the model to update' },
    version: { type: 'string', value: 'V', description: 'rollout start: the version (uploaded first)' },
    canary: {
      type: 'string',
      value: 'N',
      description: 'rollout start: devices in the canary wave (default 1)',
    },
    waves: {
      type: 'string',
      value: 'LIST',
      description: 'rollout start: cumulative waves (default 10%,50%,100%)',
    },
    'max-failures': {
      type: 'string',
      value: 'N',
      description: 'rollout start: more failures than this halt the rollout (default 1)',
    },
    'allow-downgrade': {
      type: 'boolean',
      description: 'rollout start: permit going back to an older version (signed with --key)',
    },
    key: { type: 'string', value: 'FILE', description: 'the release private key, to sign a downgrade' },
    watch: { type: 'boolean', description: 'rollout status: redraw until the rollout ends' },
    hub: { type: 'string', value: 'URL', description: 'the hub (default: the running hub in --data-dir)' },
    token: { type: 'string', value: 'TOKEN', description: 'admin API token (default: HEARTH_TOKEN)' },
    ...HUB_API_OPTIONS,
  },
  notes: [
    'Examples:',
    '  hearth firmware upload feeder-1.1.0.hup',
    '  hearth firmware rollout start --model feeder --version 1.1.0 --canary 1 --waves 10%,50%,100% --max-failures 1',
    '  hearth firmware rollout status --watch',
    '  hearth firmware rollout halt r-0a1b2c3d4e',
  ],
};

function connect(v: ParsedValues): HubApi {
  return createHubApi({
    base() {
      if (v.hub) return v.hub as string;
      const config = loadConfig({ flags: { dataDir: v['data-dir'] as string | undefined } });
      const info = readRuntimeInfo(config.dataDir);
      if (!info)
        throw new HubApiError(`no running hub found in ${config.dataDir} (start it, or pass --hub URL)`);
      return hubBaseUrl(info.bind, info.httpPort);
    },
    token: (v.token as string | undefined) || process.env.HEARTH_TOKEN,
    noToken: 'an admin token is needed: --token TOKEN or HEARTH_TOKEN',
  });
}

const intOption = (v: ParsedValues, name: string): number | undefined => {
  if (v[name] === undefined) return undefined;
  const n = Number(v[name]);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} is a whole number`);
  return n;
};

/** One bar per wave: # updated, x failed, r rolled back, ~ offered, . waiting. */
export function formatRollout(r: RolloutView, width = 30): string {
  const lines = [
    `rollout ${r.id}  ${r.model} → ${r.version}  ${r.status}${r.status === 'running' ? ` (wave ${r.currentWave + 1} of ${r.progress.length})` : ''}${r.haltedReason ? `: ${r.haltedReason}` : ''}`,
  ];
  const labelWidth = Math.max(...r.progress.map((w) => w.label.length), 6);
  for (const w of r.progress) {
    const cells = (n: number) => Math.round((n / Math.max(1, w.devices)) * width);
    const parts = [
      '#'.repeat(cells(w.updated)),
      'x'.repeat(cells(w.failed)),
      'r'.repeat(cells(w.rolledBack)),
      '~'.repeat(cells(w.offered)),
    ].join('');
    const bar = parts.slice(0, width).padEnd(width, '.');
    lines.push(
      `  ${w.label.padEnd(labelWidth)} [${bar}] ${w.updated}/${w.devices} updated, ${w.failed} failed, ${w.rolledBack} rolled back${w.offered ? `, ${w.offered} updating` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function rollout(api: HubApi, v: ParsedValues, action: string | undefined, target: string | undefined) {
  const json = v.json === true;
  const out = (data: unknown, text: string) =>
    process.stdout.write(json ? `${JSON.stringify(data)}\n` : text);
  if (action === 'start') {
    if (!v.model || !v.version) throw new UsageError('rollout start needs --model M and --version V');
    const body: Record<string, unknown> = { model: v.model, version: v.version };
    const canary = intOption(v, 'canary');
    const maxFailures = intOption(v, 'max-failures');
    if (canary !== undefined) body.canary = canary;
    if (maxFailures !== undefined) body.maxFailures = maxFailures;
    if (v.waves !== undefined) {
      try {
        body.waves = parseWaves(String(v.waves));
      } catch (err) {
        throw new UsageError(`--waves: ${(err as Error).message}`);
      }
    }
    if (v['allow-downgrade'] === true) body.allowDowngrade = await signDowngrade(api, v);
    const r = (await api('POST', '/api/v1/firmware/rollouts', body)) as RolloutView;
    out(r, formatRollout(r));
    return 0;
  }
  if (action === 'status') {
    for (;;) {
      const r = target
        ? ((await api('GET', `/api/v1/firmware/rollouts/${encodeURIComponent(target)}`)) as RolloutView)
        : ((await api('GET', '/api/v1/firmware/rollouts')) as { rollouts: RolloutView[] }).rollouts[0];
      if (!r) {
        out({ rollouts: [] }, 'no rollouts yet\n');
        return 0;
      }
      out(r, formatRollout(r));
      if (v.watch !== true || r.status !== 'running') return r.status === 'halted' ? 1 : 0;
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
  if (action === 'halt') {
    if (!target) throw new UsageError('rollout halt needs the rollout id (hearth firmware rollout status)');
    const r = (await api(
      'POST',
      `/api/v1/firmware/rollouts/${encodeURIComponent(target)}/halt`,
    )) as RolloutView;
    out(r, formatRollout(r));
    return 0;
  }
  throw new UsageError(`unknown rollout action "${action ?? ''}": use start, status or halt`);
}

async function signDowngrade(api: HubApi, v: ParsedValues): Promise<string> {
  if (!v.key) throw new UsageError('--allow-downgrade needs --key FILE (the release private key) to sign it');
  const { images } = (await api('GET', '/api/v1/firmware/images')) as { images: ImageView[] };
  const image = images.find((i) => i.model === v.model && i.version === v.version);
  if (!image) throw new HubApiError(`no ${v.model} ${v.version} image on the hub (hearth firmware upload)`);
  const key = loadReleasePrivateKey(await readFile(resolve(String(v.key)), 'utf8'));
  return signWithReleaseKey(key, downgradeStatement(image.model, image.version, image.id)).toString(
    'base64url',
  );
}

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [verb, action, target] = parsed.positionals;
    const v = parsed.values;
    const api = connect(v);
    const json = v.json === true;
    try {
      if (verb === 'upload') {
        if (!action) throw new UsageError('upload needs the image file (hearth firmware build writes one)');
        const bytes = await readFile(resolve(action)).catch(() => {
          throw new HubApiError(`cannot read ${action}`);
        });
        const image = (await api('POST', '/api/v1/firmware/images', undefined, bytes)) as ImageView;
        process.stdout.write(
          json
            ? `${JSON.stringify(image)}\n`
            : `Uploaded ${image.model} ${image.version} (${image.size} bytes, sha256 ${image.id.slice(0, 16)}…, key ${image.keyId})\n`,
        );
        return 0;
      }
      if (verb === 'images') {
        const { images } = (await api('GET', '/api/v1/firmware/images')) as { images: ImageView[] };
        process.stdout.write(
          json
            ? `${JSON.stringify(images)}\n`
            : images.length === 0
              ? 'no images uploaded\n'
              : `${images.map((i) => `${i.model} ${i.version}  ${i.size} bytes  ${i.id.slice(0, 16)}…`).join('\n')}\n`,
        );
        return 0;
      }
      if (verb === 'rollout') return await rollout(api, v, action, target);
      throw new UsageError(`unknown firmware subcommand "${verb ?? ''}"; try: hearth firmware --help`);
    } catch (err) {
      if (err instanceof HubApiError || (err instanceof Error && err.name === 'HearthError')) {
        if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { message: err.message } })}\n`);
        else process.stderr.write(`hearth firmware: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  });
}
