// `hearth matter pairing|decommission`: the Matter bridge's pairing code (what Apple Home, Google
// Home or Alexa asks for) and leaving every fabric. `pairing` reads what the hub wrote in the data
// directory, so it needs no token; `decommission` asks the running hub (with a token), or, with
// the hub stopped, erases the bridge's fabric data so the next start is commissionable afresh.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { loadConfig } from '../infra/config.js';
import { probeRunningHub } from '../infra/hub-lock.js';
import { matterDir } from '../matter/runtime.js';
import { type MatterStatus, MatterStatusSchema, PAIRING_FILE } from '../matter/status.js';
import { HubApiError } from './hub-api-client.js';
import { connect } from './schedule.js';

const spec: CommandSpec = {
  usage: 'hearth matter <pairing|decommission> [options]',
  summary: 'The Matter bridge: its pairing code for Apple Home, Google Home and Alexa; leave every fabric.',
  options: {
    json: { type: 'boolean', description: 'pairing: one JSON object (manualPairingCode, qrPayload, …)' },
    token: {
      type: 'string',
      value: 'TOKEN',
      description: 'decommission on a running hub: an admin token (default: HEARTH_TOKEN)',
    },
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory of the hub' },
  },
  notes: [
    'Turn the bridge on with "matter": {"enabled": true} in config.json (or HEARTH_MATTER__ENABLED=true),',
    'start the hub, then add a device in the Home app and type the code or scan the QR code.',
  ],
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [action] = parsed.positionals;
    const v = parsed.values;
    const dataDir = loadConfig({ flags: { dataDir: v['data-dir'] as string | undefined } }).dataDir;
    try {
      if (action === 'pairing') return await pairing(dataDir, v.json === true);
      if (action === 'decommission' || action === 'reset') return await decommission(dataDir, v);
      throw new UsageError(`unknown action "${action ?? ''}": use pairing or decommission`);
    } catch (err) {
      if (!(err instanceof HubApiError)) throw err;
      process.stderr.write(`hearth: ${err.message}\n`);
      return 1;
    }
  });
}

function readStatus(dataDir: string): MatterStatus | null {
  const file = join(matterDir(dataDir), PAIRING_FILE);
  if (!existsSync(file)) return null;
  const parsed = MatterStatusSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}

async function pairing(dataDir: string, json: boolean): Promise<number> {
  const status = readStatus(dataDir);
  if (!status?.manualPairingCode || !status.qrPayload)
    throw new HubApiError(
      `no Matter pairing code in ${dataDir} yet: set "matter": {"enabled": true} in config.json (or HEARTH_MATTER__ENABLED=true) and start the hub`,
    );
  const running = (await probeRunningHub(dataDir)) !== null;
  const view = {
    manualPairingCode: status.manualPairingCode,
    qrPayload: status.qrPayload,
    commissioned: status.commissioned ?? false,
    fabrics: status.fabrics ?? 0,
    port: status.port,
    hubRunning: running,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(view)}\n`);
    return 0;
  }
  const code = view.manualPairingCode.replace(/^(\d{4})(\d{3})(\d{4})$/, '$1-$2-$3');
  const lines = [
    `Matter pairing code: ${code}`,
    `QR payload:          ${view.qrPayload}`,
    `Fabrics:             ${view.fabrics}${view.commissioned ? ' (already in a home: add more from that app’s sharing settings, or decommission)' : ''}`,
  ];
  if (!running) lines.push('The hub is not running: start it before pairing.');
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.stdout.isTTY) {
    const { default: qrcode } = await import('qrcode-terminal');
    process.stdout.write(
      await new Promise<string>((r) => qrcode.generate(view.qrPayload, { small: true }, r)),
    );
    process.stdout.write('\n');
  }
  return 0;
}

async function decommission(dataDir: string, v: Record<string, unknown>): Promise<number> {
  if (await probeRunningHub(dataDir)) {
    const api = connect({ token: v.token as string | undefined, 'data-dir': dataDir });
    const status = (await api('POST', '/api/v1/matter/decommission')) as MatterStatus;
    process.stdout.write(
      `the bridge left every Matter fabric; pair it again with ${status.manualPairingCode ?? 'hearth matter pairing'}\n`,
    );
    return 0;
  }
  rmSync(matterDir(dataDir), { recursive: true, force: true });
  process.stdout.write(
    'the Matter fabric data is erased; the bridge starts commissionable with a new code\n',
  );
  return 0;
}
