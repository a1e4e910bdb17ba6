import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptionProof, newNonce } from '../../shared/adoption-crypto.js';
import { killAll, runHearth, spawnHearth } from '../devices/support/processes.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { waitFor } from '../support/wait.js';

/** A factory-fresh device is adopted through the API, then controlled like any other. */
describe('adopting a factory device', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await killAll();
    await t.cleanup();
  });

  it('announces itself, is adopted, reconnects with its credentials and takes commands', async () => {
    const image = join(t.dataDir, 'factory-tv.img');
    const flashed = await runHearth([
      'flash',
      'tv',
      '--name',
      'New TV',
      '--factory',
      '--data-dir',
      t.dataDir,
      '--out',
      image,
      '--json',
    ]);
    expect(flashed.code).toBe(0);
    const { setupCode } = JSON.parse(flashed.stdout) as { setupCode: string };
    expect(setupCode).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    const device = spawnHearth(['device', 'run', image, '--flash-dir', join(t.dataDir, 'flash'), '--json']);
    const waiting = await waitFor(
      async () => {
        const { discovered } = (await (await t.api('/api/v1/discovered')).json()) as {
          discovered: Array<{ claimId: string; model: string }>;
        };
        return discovered[0];
      },
      { what: 'the factory device listed as discovered', timeoutMs: 15_000 },
    );
    expect(waiting.model).toBe('tv');

    const bad = await t.api(`/api/v1/discovered/${waiting.claimId}/adopt`, {
      method: 'POST',
      json: { name: '', setupCode },
    });
    expect(bad.status).toBe(422);
    // The setup code is required, and must look like one.
    for (const json of [{ name: 'x' }, { name: 'x', setupCode: 'ABC' }]) {
      const r = await t.api(`/api/v1/discovered/${waiting.claimId}/adopt`, { method: 'POST', json });
      expect(r.status, JSON.stringify(json)).toBe(422);
    }
    expect(
      (await t.api('/api/v1/discovered/zzzzzzzz9/adopt', { method: 'POST', json: { name: 'x', setupCode } }))
        .status,
    ).toBe(404);

    // Typed as a person would: lower case, with spaces.
    const adopted = await t.api(`/api/v1/discovered/${waiting.claimId}/adopt`, {
      method: 'POST',
      json: { name: 'Bedroom TV', room: 'Bedroom', setupCode: setupCode.toLowerCase().replaceAll('-', ' ') },
    });
    expect(adopted.status).toBe(201);
    const { device: view } = (await adopted.json()) as { device: { id: string } };
    await waitFor(() => t.hub.context.registry.get(view.id)?.online, {
      what: 'adopted device online with its credentials',
      timeoutMs: 20_000,
    });
    const cmd = await t.api(`/api/v1/devices/${view.id}/commands`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    expect(cmd.status).toBe(200);
    expect(
      ((await (await t.api('/api/v1/discovered')).json()) as { discovered: unknown[] }).discovered,
    ).toEqual([]);
    // Adopted with the hub CA: the device's flash now leads with the hub's TLS address, where it is.
    const slotState = (slot: string) => {
      try {
        const [header = '', body = ''] = readFileSync(
          join(t.dataDir, 'flash', `claim-${waiting.claimId}.flash.${slot}`),
          'utf8',
        ).split('\n', 2);
        return {
          generation: Number(header.split(' ')[1]),
          state: JSON.parse(body) as { hubAddresses: string[]; provisioned: { tls?: { ca: string } } },
        };
      } catch {
        return null;
      }
    };
    const latest = [slotState('a'), slotState('b')]
      .filter((x) => x !== null)
      .sort((x, y) => y.generation - x.generation)[0];
    expect(latest?.state.hubAddresses[0]).toBe(`mqtts://127.0.0.1:${t.hub.ports.mqttTls}`);
    expect(latest?.state.provisioned.tls?.ca).toBe(t.hub.tls.caPem);
    device.child.kill('SIGTERM');
    await device.exited;
  }, 60_000);

  it('a device that missed its credentials gets them again on its next announcement, in the shape it accepts', async () => {
    const image = join(t.dataDir, 'factory-plug.img');
    const flashed = await runHearth([
      'flash',
      'plug',
      '--name',
      'Plug',
      '--factory',
      '--data-dir',
      t.dataDir,
      '--out',
      image,
      '--json',
    ]);
    expect(flashed.code).toBe(0);
    const { claimId, setupCode } = JSON.parse(flashed.stdout) as { claimId: string; setupCode: string };
    // The device announces and proves its code, then reboots before the hub answers: the first
    // credentials reach nobody. (Played by a client that knows the code, as the firmware would.)
    const before = await mqtt.connectAsync(t.mqttUrl, { clientId: `claim-${claimId}`, reconnectPeriod: 0 });
    await before.subscribeAsync(`hearth/provision/${claimId}/challenge`, { qos: 1 });
    before.on('message', (_topic, payload) => {
      const { hubNonce } = JSON.parse(payload.toString()) as { hubNonce: string };
      const deviceNonce = newNonce();
      const code = setupCode.replaceAll('-', '');
      before.publish(
        `hearth/provision/${claimId}/proof`,
        JSON.stringify({ hubNonce, deviceNonce, proof: adoptionProof(code, claimId, hubNonce, deviceNonce) }),
        { qos: 1 },
      );
    });
    await before.publishAsync(
      `hearth/provision/${claimId}/announce`,
      JSON.stringify({ model: 'plug', firmware: '1.0.0', capabilities: [{ name: 'power' }] }),
      { qos: 1 },
    );
    await waitFor(
      async () =>
        (
          (await (await t.api('/api/v1/discovered')).json()) as { discovered: Array<{ claimId: string }> }
        ).discovered.some((d) => d.claimId === claimId),
      { what: 'the claim listed' },
    );
    const adopted = await t.api(`/api/v1/discovered/${claimId}/adopt`, {
      method: 'POST',
      json: { name: 'Desk plug', setupCode },
    });
    expect(adopted.status).toBe(201);
    await before.endAsync();
    const { device: view } = (await adopted.json()) as { device: { id: string } };

    // Back from its reboot, the real firmware announces again and must be adopted.
    const device = spawnHearth([
      'device',
      'run',
      image,
      '--flash-dir',
      join(t.dataDir, 'flash-plug'),
      '--json',
    ]);
    await waitFor(() => t.hub.context.registry.get(view.id)?.online, {
      what: 'the device online with the re-sent credentials',
      timeoutMs: 20_000,
    });
    expect(device.stderr() + device.stdout()).not.toContain('credentials refused');
    device.child.kill('SIGTERM');
    await device.exited;
  }, 60_000);

  it('an unadopted device on the provisioning topics can neither read nor publish anything else', async () => {
    const claim = await mqtt.connectAsync(t.mqttUrl, { clientId: 'claim-abcdefgh12', reconnectPeriod: 0 });
    const suback = async (filter: string) =>
      claim.subscribeAsync(filter, { qos: 1 }).then(
        (g) => g[0]?.qos,
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0],
      );
    expect(await suback('hearth/provision/abcdefgh12/credentials')).toBe(1);
    expect(await suback('hearth/provision/abcdefgh12/challenge')).toBe(1);
    for (const f of [
      'hearth/dev/+/state',
      'hearth/provision/+/credentials',
      'hearth/provision/+/challenge',
      'hearth/provision/abcdefgh12/proof',
      'hearth/#',
      '#',
    ])
      expect(await suback(f), f).toBe(128);
    const closed = new Promise<void>((r) => claim.once('close', () => r()));
    claim.publish('hearth/provision/otherclaim1/announce', '{}', { qos: 0 });
    await closed;
    // Anonymous clients that are not claims are refused outright.
    await expect(mqtt.connectAsync(t.mqttUrl, { clientId: 'nosy', reconnectPeriod: 0 })).rejects.toThrow();
  });
});
