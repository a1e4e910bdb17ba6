// `hearth adopt <claim> --name NAME --setup-code CODE`: adopt a factory device waiting on the LAN
// (see hearth discover); the code is the one on its label, which the device must prove it holds.
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { loadConfig } from '../infra/config.js';
import { readRuntimeInfo } from '../infra/runtime-file.js';

const spec: CommandSpec = {
  usage: 'hearth adopt <claim> --name NAME --setup-code CODE [--room ROOM] [--hub URL] [--token TOKEN]',
  summary:
    'Adopt a factory-fresh device: it proves the setup code on its label, then the hub registers it and sends it its credentials, sealed under that code.',
  options: {
    'setup-code': { type: 'string', value: 'CODE', description: 'the setup code on the device label' },
    name: { type: 'string', value: 'NAME', description: 'what to call it' },
    room: { type: 'string', value: 'ROOM', description: 'which room it is in' },
    hub: { type: 'string', value: 'URL', description: 'the hub (default: the running hub of --data-dir)' },
    token: { type: 'string', value: 'TOKEN', description: 'admin token (default $HEARTH_TOKEN)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory, to find the running hub' },
  },
  notes: ['Without a claim, lists the devices waiting: hearth adopt'],
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const v = parsed.values as Record<string, string | undefined>;
    const token = v.token ?? process.env.HEARTH_TOKEN;
    if (!token) throw new UsageError('an admin token is required: --token TOKEN or HEARTH_TOKEN');
    const running = readRuntimeInfo(loadConfig({ flags: { dataDir: v['data-dir'] } }).dataDir);
    const hub = v.hub ?? (running ? `http://127.0.0.1:${running.httpPort}` : 'http://127.0.0.1:8080');
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${hub}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).catch(() => {
        throw new Error(`cannot reach the hub at ${hub}`);
      });
      const data = (await res.json()) as { error?: { message: string } } & Record<string, unknown>;
      if (!res.ok) throw new Error(data.error?.message ?? `the hub answered ${res.status}`);
      return data;
    };
    const claim = parsed.positionals[0];
    try {
      if (!claim) {
        const { discovered } = (await call('GET', '/api/v1/discovered')) as unknown as {
          discovered: Array<{ claimId: string; model: string }>;
        };
        if (discovered.length === 0) process.stdout.write('no device is waiting to be adopted\n');
        for (const d of discovered) process.stdout.write(`${d.claimId}  ${d.model}\n`);
        return 0;
      }
      if (!v.name) throw new UsageError('--name is required');
      if (!v['setup-code']) throw new UsageError('--setup-code is required: it is on the device label');
      const { device } = (await call('POST', `/api/v1/discovered/${claim}/adopt`, {
        name: v.name,
        setupCode: v['setup-code'],
        ...(v.room ? { room: v.room } : {}),
      })) as unknown as {
        device: { id: string };
      };
      process.stdout.write(`adopted as ${device.id}; it connects with its new credentials in a moment\n`);
      return 0;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      process.stderr.write(`hearth: ${(err as Error).message}\n`);
      return 1;
    }
  });
}
