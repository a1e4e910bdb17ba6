import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLan, type Lan, netnsUnavailable } from '../../support/netns.js';
import { waitFor } from '../../support/wait.js';

const bin = join(import.meta.dirname, '../../../dist/bin/hearth.js');
const why = netnsUnavailable();

function follow(child: ChildProcess): { text: () => string } {
  let text = '';
  child.stdout?.on('data', (d) => (text += d));
  child.stderr?.on('data', (d) => (text += d));
  return { text: () => text };
}

/** Hub in one namespace, devices and browsers in another, joined by a veth pair: a LAN of our own. */
describe('mDNS discovery (in test network namespaces)', () => {
  if (why) {
    it('cannot run here', () => {
      throw new Error(`not run: ${why}`);
    });
    return;
  }
  let lan: Lan;
  let hub: ChildProcess;
  const dir = mkdtempSync(join(tmpdir(), 'hearth-mdns-'));
  const dataDir = join(dir, 'hub');
  const startHub = () => {
    hub = lan.spawn(lan.hub, process.execPath, [
      bin,
      'start',
      '--data-dir',
      dataDir,
      '--http-port',
      '8080',
      '--mqtt-port',
      '1883',
      '--log-level',
      'warn',
    ]);
    return follow(hub);
  };
  // Over the LAN the API is HTTPS: node trusts the hub CA as a phone would once it is installed.
  const trustHub = () => ({ NODE_EXTRA_CA_CERTS: join(dataDir, 'tls', 'ca.crt') });
  const hubAnswers = () =>
    waitFor(
      () => {
        try {
          return (
            lan.run(lan.peer, process.execPath, [
              '-e',
              `fetch('http://${lan.hub.address}:8080/api/v1/hub').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
            ]) !== null
          );
        } catch {
          return false;
        }
      },
      { what: 'the hub answering on the LAN', timeoutMs: 15_000, intervalMs: 200 },
    );

  beforeAll(async () => {
    lan = createLan();
    startHub();
    await hubAnswers();
  }, 30_000);
  afterAll(() => {
    lan?.destroy();
  });

  it('hearth discover lists the hub with its address and ports', () => {
    const out = JSON.parse(
      lan.run(lan.peer, process.execPath, [bin, 'discover', '--json', '--timeout', '3']),
    ) as {
      hubs: Array<{ addresses: string[]; txt: Record<string, string>; host: string }>;
    };
    expect(out.hubs).toHaveLength(1);
    expect(out.hubs[0]?.addresses).toContain(lan.hub.address);
    expect(out.hubs[0]?.txt).toMatchObject({
      mqtt: '1883',
      http: '8080',
      api: '1',
      tls: '1',
      mqtts: '8883',
      https: '8443',
    });
    expect(out.hubs[0]?.host).toMatch(/\.local$/);
  });

  it('a device with no cached address finds the hub by mDNS alone, and again after the hub moves', async () => {
    const token = (
      JSON.parse(
        lan.run(lan.hub, process.execPath, [
          bin,
          'tokens',
          'create',
          '--name',
          'mdns',
          '--json',
          '--data-dir',
          dataDir,
        ]),
      ) as { token: string }
    ).token;
    const image = join(dir, 'tv.img');
    lan.run(
      lan.peer,
      process.execPath,
      [
        bin,
        'flash',
        'tv',
        '--name',
        'TV',
        '--hub',
        `https://${lan.hub.address}:8443`,
        '--token',
        token,
        '--mdns-only',
        '--out',
        image,
        '--json',
      ],
      trustHub(),
    );
    const inspect = lan.run(lan.peer, process.execPath, [bin, 'device', 'inspect', image, '--json']);
    expect(JSON.parse(inspect)).toMatchObject({ hub: { addresses: [] } });
    const device = lan.spawn(
      lan.peer,
      process.execPath,
      [bin, 'device', 'run', image, '--flash-dir', join(dir, 'flash'), '--json'],
      { HEARTH_DEVICE_MDNS: 'on' },
    );
    const out = follow(device);
    await waitFor(() => out.text().match(/"event":"online"/g)?.length === 1, {
      what: 'device online via mDNS',
      timeoutMs: 20_000,
    }).catch((err: Error) => {
      throw new Error(`${err.message}; device said: ${out.text().slice(-1500)}`);
    });

    // The hub restarts on a new address (a new DHCP lease): the device finds it again.
    hub.kill('SIGTERM');
    await new Promise((r) => hub.once('exit', r));
    lan.moveHub(lan.hub.address.replace(/\.1$/, '.9'));
    const t0 = Date.now();
    const hubOut = startHub();
    await waitFor(() => (out.text().match(/"event":"online"/g)?.length ?? 0) >= 2, {
      what: 'device online at the new address',
      timeoutMs: 60_000,
    }).catch((err: Error) => {
      throw new Error(
        `${err.message}; device said: ${out.text().slice(-2500)}; hub said: ${hubOut.text().slice(-1000)}`,
      );
    });
    const seconds = (Date.now() - t0) / 1000;
    process.stderr.write(`mdns: re-found the hub at its new address in ${seconds.toFixed(1)} s\n`);
    device.kill('SIGTERM');
  }, 120_000);

  it('a factory device on the LAN finds the hub by mDNS, is adopted through the API, then controlled', async () => {
    const token = (
      JSON.parse(
        lan.run(lan.hub, process.execPath, [
          bin,
          'tokens',
          'create',
          '--name',
          'adopt',
          '--json',
          '--data-dir',
          dataDir,
        ]),
      ) as { token: string }
    ).token;
    const api = (method: string, path: string, body?: unknown) => {
      const script = `fetch(${JSON.stringify(`https://${lan.hub.address}:8443${path}`)}, { method: ${JSON.stringify(method)}, headers: { authorization: 'Bearer ${token}', 'content-type': 'application/json' }${body ? `, body: ${JSON.stringify(JSON.stringify(body))}` : ''} }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json().catch(() => null) })))`;
      return JSON.parse(lan.run(lan.peer, process.execPath, ['-e', script], trustHub())) as {
        status: number;
        body: Record<string, unknown>;
      };
    };
    const image = join(dir, 'factory.img');
    const flashed = lan.run(lan.peer, process.execPath, [
      bin,
      'flash',
      'feeder',
      '--name',
      'x',
      '--factory',
      '--hub',
      `http://${lan.hub.address}:8080`,
      '--out',
      image,
      '--json',
    ]);
    const { setupCode } = JSON.parse(flashed) as { setupCode: string };
    const device = lan.spawn(
      lan.peer,
      process.execPath,
      [bin, 'device', 'run', image, '--flash-dir', join(dir, 'flash-factory'), '--json'],
      { HEARTH_DEVICE_MDNS: 'on' },
    );
    const out = follow(device);
    const waiting = await waitFor(
      () => (api('GET', '/api/v1/discovered').body.discovered as Array<{ claimId: string }>)[0],
      {
        what: 'the factory device announced',
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; device said: ${out.text().slice(-1500)}`);
    });
    const adopted = api('POST', `/api/v1/discovered/${waiting.claimId}/adopt`, {
      name: 'Cat feeder',
      setupCode,
    });
    expect(adopted.status).toBe(201);
    const id = (adopted.body.device as { id: string }).id;
    await waitFor(() => (api('GET', `/api/v1/devices/${id}`).body as { online?: boolean }).online, {
      what: 'adopted feeder online',
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    const fed = api('POST', `/api/v1/devices/${id}/commands`, {
      capability: 'feed',
      params: { portions: 1 },
    });
    expect(fed.status).toBe(200);
    expect(fed.body).toMatchObject({ status: 'done', capability: 'feed' });
    device.kill('SIGTERM');
  }, 90_000);

  it("avahi-browse (a peer nobody on this team wrote) resolves the hub's address and port", async () => {
    const bus = join(dir, 'bus.sock');
    writeFileSync(
      join(dir, 'bus.conf'),
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${bus}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>`,
    );
    writeFileSync(
      join(dir, 'avahi.conf'),
      `[server]\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=${lan.peer.dev}\nenable-dbus=yes\n[publish]\ndisable-publishing=yes\n`,
    );
    const env = { DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${bus}` };
    const dbus = lan.spawn(lan.peer, 'dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork']);
    await waitFor(
      () => {
        try {
          lan.run(
            lan.peer,
            'dbus-send',
            ['--system', '--dest=org.freedesktop.DBus', '/', 'org.freedesktop.DBus.Peer.Ping'],
            env,
          );
          return true;
        } catch {
          return false;
        }
      },
      { what: 'private D-Bus up' },
    );
    const avahi = lan.spawn(
      lan.peer,
      'avahi-daemon',
      ['-f', join(dir, 'avahi.conf'), '--no-drop-root', '--no-chroot', '--no-rlimits', '--no-proc-title'],
      env,
    );
    const avahiLog = follow(avahi);
    await waitFor(() => avahiLog.text().includes('Server startup complete'), {
      what: 'avahi-daemon up',
      timeoutMs: 15_000,
    });
    const found = await waitFor(
      () => {
        const out = lan.run(lan.peer, 'avahi-browse', ['-rtp', '_hearth._tcp'], env);
        return out.split('\n').find((l) => l.startsWith('='));
      },
      { what: 'avahi resolving _hearth._tcp', timeoutMs: 20_000, intervalMs: 500 },
    );
    const fields = found.split(';');
    expect(fields[7]).toBe(lan.hub.address);
    expect(fields[8]).toBe('8080');
    expect(fields[9]).toContain('"mqtt=1883"');
    avahi.kill('SIGTERM');
    dbus.kill('SIGTERM');
  }, 60_000);
});
