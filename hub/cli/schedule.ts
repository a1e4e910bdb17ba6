// `hearth schedule add|list|rm|runs`: talks to the running hub's HTTP API (found through
// the data directory's lock, hub-lock.ts) with a token from --token or HEARTH_TOKEN, so every rule the API
// enforces (validation, rights, pushing to devices) applies to the CLI too.
import {
  type CommandSpec,
  type ParsedValues,
  parseCommand,
  runCommand,
  UsageError,
} from '../../shared/cli.js';
import { loadConfig } from '../infra/config.js';
import { probeRunningHub } from '../infra/hub-lock.js';
import type { RunView, ScheduleView } from '../scheduler/schemas.js';
import { createHubApi, HUB_API_OPTIONS, type HubApi, HubApiError, hubBaseUrl } from './hub-api-client.js';

const spec: CommandSpec = {
  usage: 'hearth schedule <add|list|rm|runs> [options]',
  summary:
    'Manage schedules on the running hub (runs on the device when it keeps schedules, else in the hub).',
  options: {
    device: { type: 'string', value: 'ID', description: 'add: target device; list/runs: only this device' },
    cron: {
      type: 'string',
      value: 'EXPR',
      description: 'add: cron, 5 fields or 6 with seconds ("0 7 * * *")',
    },
    at: {
      type: 'string',
      value: 'TIME',
      description: 'add: one-off time, ISO 8601 with offset (2025-06-01T07:00:00+01:00)',
    },
    sun: {
      type: 'string',
      value: 'EVENT[+-MIN]',
      description: 'add: sunrise or sunset, with an offset (sunset-30)',
    },
    tz: { type: 'string', value: 'ZONE', description: "add: IANA time zone (default: the hub's)" },
    capability: { type: 'string', value: 'NAME', description: 'add: what to do (feed, power, brightness…)' },
    value: { type: 'string', value: 'V', description: 'add: a setting value (true, 42, hdmi1)' },
    param: {
      type: 'string',
      multiple: true,
      value: 'K=N',
      description: 'add: an action parameter (portions=2)',
    },
    'catch-up': {
      type: 'string',
      value: 'POLICY',
      description: 'add: skip (default) or late:N (run once if up to N minutes late)',
    },
    name: { type: 'string', value: 'NAME', description: 'add: a label' },
    id: { type: 'string', value: 'ID', description: 'add: choose the schedule id' },
    disabled: { type: 'boolean', description: 'add: create it switched off' },
    limit: { type: 'string', value: 'N', description: 'runs: how many (default 20)' },
    token: { type: 'string', value: 'TOKEN', description: 'API token (default: HEARTH_TOKEN)' },
    ...HUB_API_OPTIONS,
  },
  notes: [
    'Examples:',
    '  hearth schedule add --device feeder-1a2b3c --cron "0 7,18 * * *" --capability feed --param portions=2',
    '  hearth schedule add --device lamp-1 --sun sunset-15 --capability power --value true',
    '  hearth schedule list',
    '  hearth schedule runs s-3f2a9c1b --limit 50',
    '  hearth schedule rm s-3f2a9c1b',
  ],
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [action, target] = parsed.positionals;
    const v = parsed.values;
    const api = connect(v);
    const json = v.json === true;
    const out = (data: unknown, text: string) =>
      process.stdout.write(json ? `${JSON.stringify(data)}\n` : text);
    try {
      switch (action) {
        case 'add': {
          const created = (await api('POST', '/api/v1/schedules', addBody(v))) as ScheduleView;
          out(created, `${describe(created)}\n`);
          return 0;
        }
        case 'list': {
          const q = v.device ? `?deviceId=${encodeURIComponent(String(v.device))}` : '';
          const { schedules } = (await api('GET', `/api/v1/schedules${q}`)) as { schedules: ScheduleView[] };
          out(
            schedules,
            schedules.length === 0 ? 'no schedules\n' : `${schedules.map(describe).join('\n')}\n`,
          );
          return 0;
        }
        case 'rm': {
          const id = target ?? (v.id as string | undefined);
          if (!id) throw new UsageError('schedule rm needs the schedule id (see hearth schedule list)');
          await api('DELETE', `/api/v1/schedules/${encodeURIComponent(id)}`);
          out({ removed: id }, `schedule ${id} removed\n`);
          return 0;
        }
        case 'runs': {
          const limit = Number((v.limit as string | undefined) ?? '20');
          const q = new URLSearchParams({ limit: String(limit) });
          if (v.device && !target) q.set('deviceId', String(v.device));
          const path = target
            ? `/api/v1/schedules/${encodeURIComponent(target)}/runs?${q}`
            : `/api/v1/schedule-runs?${q}`;
          const { runs } = (await api('GET', path)) as { runs: RunView[] };
          out(runs, runs.length === 0 ? 'no runs yet\n' : `${runs.map(describeRun).join('\n')}\n`);
          return 0;
        }
        default:
          throw new UsageError(`unknown action "${action ?? ''}": use add, list, rm or runs`);
      }
    } catch (err) {
      if (err instanceof HubApiError) {
        process.stderr.write(`hearth: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  });
}

/** The running hub's API, found through the data directory's lock (also used by `hearth matter`). */
export function connect(v: ParsedValues): HubApi {
  const config = loadConfig({ flags: { dataDir: v['data-dir'] as string | undefined } });
  return createHubApi({
    async base() {
      const info = await probeRunningHub(config.dataDir);
      if (!info || info.httpPort === undefined || info.bind === undefined)
        throw new HubApiError(`no running hub found in ${config.dataDir} (start it, or pass --data-dir)`);
      return hubBaseUrl(info.bind, info.httpPort);
    },
    token: (v.token as string | undefined) ?? process.env.HEARTH_TOKEN,
    noToken: 'an API token is needed: --token TOKEN or HEARTH_TOKEN (hearth tokens create)',
  });
}

function addBody(v: ParsedValues): Record<string, unknown> {
  if (!v.device) throw new UsageError('schedule add needs --device ID');
  if (!v.capability) throw new UsageError('schedule add needs --capability NAME');
  const timings = ['cron', 'at', 'sun'].filter((k) => v[k] !== undefined);
  if (timings.length !== 1) throw new UsageError('schedule add needs exactly one of --cron, --at or --sun');
  const command: Record<string, unknown> = { capability: v.capability };
  if (v.value !== undefined) command.value = parseValue(String(v.value));
  const params = (v.param as string[] | undefined) ?? [];
  if (params.length > 0)
    command.params = Object.fromEntries(
      params.map((p) => {
        const m = /^([A-Za-z0-9_]+)=(-?\d+(\.\d+)?)$/.exec(p);
        if (!m) throw new UsageError(`--param ${p}: use NAME=NUMBER`);
        return [m[1], Number(m[2])];
      }),
    );
  const body: Record<string, unknown> = { deviceId: v.device, command };
  if (v.cron) body.cron = v.cron;
  if (v.at) body.at = v.at;
  if (v.sun) {
    const m = /^(sunrise|sunset)([+-]\d+)?$/.exec(String(v.sun));
    if (!m) throw new UsageError('--sun: sunrise or sunset, optionally with +MIN or -MIN (sunset-30)');
    body.sun = { event: m[1], offsetMinutes: Number(m[2] ?? 0) };
  }
  if (v.tz) body.tz = v.tz;
  if (v.name) body.name = v.name;
  if (v.id) body.id = v.id;
  if (v.disabled) body.enabled = false;
  const catchUp = v['catch-up'] as string | undefined;
  if (catchUp !== undefined) {
    const m = /^late:(\d+)$/.exec(catchUp);
    if (catchUp === 'skip') body.catchUp = { policy: 'skip' };
    else if (m) body.catchUp = { policy: 'run-once-if-late', withinMinutes: Number(m[1]) };
    else throw new UsageError('--catch-up: skip, or late:N for "run once if up to N minutes late"');
  }
  return body;
}

function parseValue(raw: string): boolean | number | string {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

function describe(s: ScheduleView): string {
  const when = s.cron
    ? `cron "${s.cron}"`
    : s.at !== null
      ? `at ${new Date(s.at).toISOString()}`
      : `${s.sun?.event}${fmtOffset(s.sun?.offsetMinutes ?? 0)}`;
  const what =
    s.command.value !== undefined
      ? `${s.command.capability}=${s.command.value}`
      : `${s.command.capability} ${JSON.stringify(s.command.params ?? {})}`;
  const sync = s.sync
    ? s.sync.inSync
      ? ' in sync'
      : ` NOT in sync (pushed v${s.sync.version}, device runs v${s.sync.deviceVersion ?? '-'})`
    : '';
  const next = s.nextRunAt !== null ? `next ${new Date(s.nextRunAt).toISOString()}` : 'no next run';
  return `${s.id}  ${s.deviceId}  ${what}  ${when} ${s.tz}  ${s.enabled ? 'on' : 'off'}  runs on ${s.runsOn}${sync}  ${next}`;
}

function fmtOffset(min: number): string {
  return min === 0 ? '' : min > 0 ? `+${min}` : String(min);
}

function describeRun(r: RunView): string {
  const extra = r.reason ?? r.error?.message ?? '';
  const late = r.late !== null ? ` late ${r.late} ms` : '';
  return `${new Date(r.scheduledAt).toISOString()}  ${r.scheduleId}  ${r.status.padEnd(6)} by ${r.by}${late}${extra ? `  ${extra}` : ''}`;
}
