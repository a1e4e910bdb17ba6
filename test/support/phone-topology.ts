// Where the phone-app story runs. `loopback`: the hub in this process, devices and the phone on
// 127.0.0.1 (a secure context without TLS). `lan`: as on a home network, the hub (`hearth start`) in
// one network namespace, the devices and the phone (Chromium) in another at a 10.x address; the
// phone trusts the hub CA and opens the app over HTTPS, the devices are flashed over HTTPS and
// connect with MQTT over TLS. The story's steps and assertions are the same for both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsDir } from '../../hub/tls/tls-files.js';
import { type HearthProcess, runHearth, type SpawnPlace, spawnHearth } from '../devices/support/processes.js';
import { launchPhone, type Phone } from './browser.js';
import { startTestHub, type TestHub } from './hub.js';
import { lanHub, lanPhone } from './lan-hub.js';
import { createLan, netnsUnavailable } from './netns.js';
import { type RawAnswer, rawRequest, socketFetch } from './socket-fetch.js';
import { waitFor } from './wait.js';

export type ApiInit = RequestInit & { json?: unknown };

export interface PhoneTopology {
  /** The address the phone opens the app at. */
  hubUrl: string;
  /** The admin API, asked from the hub's own machine (where the CLI runs). */
  api(path: string, init?: ApiInit): Promise<Response>;
  /** A GET from the hub's own machine, as the bytes on the wire (encodings, 304s). */
  raw(path: string, headers: Record<string, string>): Promise<RawAnswer>;
  /** Flashes a simulated device and boots it where devices live; resolves once the hub has it online. */
  boot(model: string, name: string): Promise<{ id: string; proc: HearthProcess }>;
  launchPhone(): Promise<Phone>;
  stopHub(): Promise<void>;
  /** The hub again, on the same data directory and ports. */
  startHub(): Promise<void>;
  /** Stops the hub and removes everything the topology made (devices are the caller's: killAll). */
  close(): Promise<void>;
}

export const TOPOLOGIES = ['loopback', 'lan'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

export function startTopology(name: TopologyName): Promise<PhoneTopology> {
  return name === 'loopback' ? loopback() : lan();
}

/** The admin's request: bearer token, and a JSON body when `json` is given. */
function withToken(token: string, { json, ...init }: ApiInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (json === undefined) return { ...init, headers };
  headers.set('content-type', 'application/json');
  return { ...init, headers, body: JSON.stringify(json) };
}

/** `hearth flash` against hubUrl, then `hearth device run` of the image, both at `place`. */
async function bootDevice(
  how: { hubUrl: string; token: string; dir: string; env?: NodeJS.ProcessEnv; place?: SpawnPlace },
  api: PhoneTopology['api'],
  model: string,
  name: string,
) {
  const image = join(how.dir, `${model}.img`);
  const args = ['flash', model, '--name', name, '--hub', how.hubUrl, '--token', how.token, '--out', image];
  const flashed = await runHearth([...args, '--json'], how.env, how.place);
  if (flashed.code !== 0) throw new Error(`flash ${model} failed: ${flashed.stderr} ${flashed.stdout}`);
  const id = (flashed.json as { device: { id: string } }).device.id;
  const proc = spawnHearth(
    ['device', 'run', image, '--flash-dir', join(how.dir, 'flash')],
    how.env,
    how.place,
  );
  await waitFor(
    async () => ((await (await api(`/api/v1/devices/${id}`)).json()) as { online?: boolean }).online,
    {
      what: `${name} online (stderr: ${proc.stderr().slice(-300)})`,
      timeoutMs: 15_000,
      intervalMs: 50,
    },
  );
  return { id, proc };
}

async function loopback(): Promise<PhoneTopology> {
  let t: TestHub = await startTestHub();
  // The devices are flashed with the MQTT-over-TLS port too: a restarted hub comes back on all of them.
  const config = {
    httpPort: t.hub.ports.http,
    mqttPort: t.hub.ports.mqtt,
    httpsPort: t.hub.ports.https,
    mqttTlsPort: t.hub.ports.mqttTls,
  };
  const api: PhoneTopology['api'] = (path, init) => t.api(path, init);
  return {
    hubUrl: t.baseUrl,
    api,
    raw: (path, headers) => rawRequest({ host: '127.0.0.1', port: config.httpPort }, path, { headers }),
    boot: (model, name) =>
      bootDevice({ hubUrl: t.baseUrl, token: t.token, dir: t.dataDir }, api, model, name),
    launchPhone: () => launchPhone(),
    stopHub: () => t.stop(),
    async startHub() {
      t = await startTestHub({ dataDir: t.dataDir, config });
    },
    close: () => t.cleanup(),
  };
}

async function lan(): Promise<PhoneTopology> {
  const why = netnsUnavailable();
  if (why) throw new Error(`the LAN topology cannot run here: ${why}`);
  const net = createLan();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-lan-phone-'));
  const hub = lanHub(net, join(dir, 'hub'));
  await hub.start();
  // The whole API answers on loopback inside the hub's namespace, as for the CLI on the Pi.
  const socket = join(dir, 'hub-api.sock');
  await net.forward(net.hub, 8080, socket);
  const created = await runHearth([
    'tokens',
    'create',
    '--name',
    'test-admin',
    '--data-dir',
    hub.dataDir,
    '--json',
  ]);
  const token = (created.json as { token: string }).token;
  const ca = join(tlsDir(hub.dataDir), 'ca.crt');
  const phone = lanPhone(net, dir);
  phone.trust(ca);
  const api: PhoneTopology['api'] = (path, init) => socketFetch(socket, path, withToken(token, init));
  const { https } = hub.urls();
  let bootedCount = 0;
  // A laptop on the LAN flashes over HTTPS, trusting the hub CA (README: NODE_EXTRA_CA_CERTS).
  const devices = {
    hubUrl: https,
    token,
    dir,
    env: { NODE_EXTRA_CA_CERTS: ca },
    place: { netns: net.peer.ns },
  };
  return {
    hubUrl: https,
    api,
    raw: (path, headers) => rawRequest({ socketPath: socket }, path, { headers }),
    async boot(model, name) {
      const booted = await bootDevice(devices, api, model, name);
      // This topology's premise: every device came on over MQTT over TLS, verifying the hub.
      const metrics = await (await api('/metrics')).text();
      const tls = [...metrics.matchAll(/^hearth_mqtt_tls_handshakes_total\{[^}]*\} (\d+)/gm)];
      const handshakes = tls.reduce((sum, m) => sum + Number(m[1]), 0);
      if (handshakes < ++bootedCount) throw new Error(`${name} is online, but not over MQTT over TLS`);
      return booted;
    },
    launchPhone: () => phone.launch(),
    stopHub: () => hub.stop(),
    async startHub() {
      await hub.start();
    },
    async close() {
      await hub.stop();
      net.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
