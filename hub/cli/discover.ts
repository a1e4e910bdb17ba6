// `hearth discover`: what answers on this LAN — hubs (_hearth._tcp) and factory-fresh devices
// waiting for adoption (_hearth-device._tcp) — for troubleshooting. Uses mDNS only, never DNS.
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { browse, DEVICE_SERVICE, HUB_SERVICE } from '../../shared/mdns-browse.js';

const spec: CommandSpec = {
  usage: 'hearth discover [--timeout SECONDS] [--json]',
  summary: 'List Hearth hubs and devices awaiting adoption seen on the LAN (mDNS).',
  options: {
    timeout: { type: 'string', value: 'SECONDS', description: 'how long to listen (default 3)' },
    interface: {
      type: 'string',
      value: 'ADDR',
      description: 'listen on the interface with this IPv4 address',
    },
    json: { type: 'boolean', description: 'print JSON' },
  },
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const seconds = Number(parsed.values.timeout ?? 3);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60)
      throw new UsageError('--timeout must be 1 to 60 seconds');
    const iface = parsed.values.interface as string | undefined;
    const opts = { timeoutMs: seconds * 1000, ...(iface ? { interfaceAddress: iface } : {}) };
    const [hubs, devices] = await Promise.all([
      browse({ type: HUB_SERVICE, ...opts }),
      browse({ type: DEVICE_SERVICE, ...opts }),
    ]);
    if (parsed.values.json) {
      process.stdout.write(`${JSON.stringify({ hubs, devices })}\n`);
      return 0;
    }
    if (hubs.length === 0)
      process.stdout.write('no hub answered (is it on this network? is mDNS allowed by the Wi-Fi?)\n');
    for (const h of hubs)
      process.stdout.write(
        `hub     ${h.name}  http://${h.addresses[0]}:${h.txt.http ?? h.port}  mqtt ${h.txt.mqtt ?? '?'}  (${h.host})\n`,
      );
    for (const d of devices)
      process.stdout.write(
        `device  ${d.txt.model ?? '?'}  claim ${d.txt.claim ?? '?'}  at ${d.addresses[0]}\n`,
      );
    return 0;
  });
}
