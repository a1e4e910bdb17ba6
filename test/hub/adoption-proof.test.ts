// Adoption needs the setup code on the label: an intruder that takes over a claim's client id
// while the owner adopts gets only a challenge and ciphertext it cannot use, and a wrong code is
// refused, creates nothing and is rate limited. Real hub, real firmware processes, real mqtt clients.
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, runHearth, spawnHearth } from '../devices/support/processes.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { waitFor } from '../support/wait.js';

describe('adoption with proof of possession', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await killAll();
    await t.cleanup();
  });

  /** Flashes a factory image, boots it, and waits until the hub lists it. */
  const factoryDevice = async (model: string) => {
    const image = join(t.dataDir, `factory-${model}.img`);
    const flashed = await runHearth([
      'flash',
      model,
      '--name',
      model,
      '--factory',
      '--data-dir',
      t.dataDir,
      '--out',
      image,
      '--json',
    ]);
    expect(flashed.code).toBe(0);
    const { claimId, setupCode } = JSON.parse(flashed.stdout) as { claimId: string; setupCode: string };
    const device = spawnHearth(['device', 'run', image, '--flash-dir', join(t.dataDir, `flash-${model}`)]);
    await waitFor(
      async () =>
        (
          (await (await t.api('/api/v1/discovered')).json()) as { discovered: Array<{ claimId: string }> }
        ).discovered.some((d) => d.claimId === claimId),
      { what: `the ${model} listed as discovered`, timeoutMs: 15_000 },
    );
    return { image, claimId, setupCode, device };
  };
  const adopt = (claimId: string, setupCode: string) =>
    t.api(`/api/v1/discovered/${claimId}/adopt`, { method: 'POST', json: { name: 'Mine', setupCode } });

  it('an intruder on the claim id gets nothing usable; the device is adopted and online', async () => {
    const { claimId, setupCode, device } = await factoryDevice('tv');
    // The intruder takes over `claim-<id>` and retries every 300 ms, reading all it may.
    const heard: Array<{ topic: string; payload: string }> = [];
    const intruder = mqtt.connect(t.mqttUrl, { clientId: `claim-${claimId}`, reconnectPeriod: 300 });
    intruder.on('connect', () =>
      intruder.subscribe(
        [`hearth/provision/${claimId}/credentials`, `hearth/provision/${claimId}/challenge`],
        {
          qos: 1,
        },
      ),
    );
    intruder.on('message', (topic, payload) => {
      heard.push({ topic, payload: payload.toString() });
      if (!topic.endsWith('/challenge')) return;
      const { hubNonce } = JSON.parse(payload.toString()) as { hubNonce: string };
      intruder.publish(
        `hearth/provision/${claimId}/proof`,
        JSON.stringify({ hubNonce, deviceNonce: 'x'.repeat(22), proof: 'y'.repeat(43) }),
        { qos: 1 },
      );
    });
    // Everything the hub puts on the topics a claim may read, whoever held the id at that moment.
    const readable = ['challenge', 'credentials'].map((c) => `hearth/provision/${claimId}/${c}`);
    const onWire: Array<{ topic: string; payload: string }> = [];
    const unwatch = await t.hub.context.messaging.subscribe(
      `hearth/provision/${claimId}/#`,
      (topic, payload) => {
        if (readable.includes(topic)) onWire.push({ topic, payload: payload.toString() });
      },
    );
    await new Promise<void>((r) => intruder.once('connect', () => r()));

    const adopted = await adopt(claimId, setupCode);
    expect(adopted.status).toBe(201);
    const { device: view } = (await adopted.json()) as { device: { id: string } };
    await waitFor(() => t.hub.context.registry.get(view.id)?.online, {
      what: 'the real device online with its credentials',
      timeoutMs: 45_000,
    });
    intruder.end(true);
    await unwatch();

    // What went out (and what it heard) is a challenge and ciphertext: no secret, not even the
    // device id, in the clear.
    expect(onWire.some((h) => h.topic.endsWith('/credentials'))).toBe(true);
    const wire = JSON.stringify([...onWire, ...heard]);
    expect(wire).not.toContain('secret');
    expect(wire).not.toContain(view.id);
    for (const h of onWire.filter((x) => x.topic.endsWith('/credentials')))
      expect(Object.keys(JSON.parse(h.payload) as object).sort()).toEqual([
        'deviceNonce',
        'hubNonce',
        'sealed',
      ]);
    // Anything it got, tried as the device's password, is refused.
    const candidates = new Set<string>();
    for (const h of [...onWire, ...heard]) {
      const walk = (v: unknown): void => {
        if (typeof v === 'string') candidates.add(v);
        else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
      };
      walk(JSON.parse(h.payload));
    }
    expect(candidates.size).toBeGreaterThan(3);
    for (const password of candidates)
      await expect(
        mqtt.connectAsync(t.mqttUrl, {
          clientId: `${view.id}-x`,
          username: view.id,
          password,
          reconnectPeriod: 0,
        }),
        password,
      ).rejects.toThrow();
    process.stderr.write(
      `adoption: the intruder heard ${heard.length} messages (${heard.map((h) => h.topic.split('/').pop()).join(', ')}), none usable; ${onWire.length} went out\n`,
    );
    device.child.kill('SIGTERM');
    await device.exited;
  }, 120_000);

  it('a wrong setup code is refused with a clear error, creates nothing, and is rate limited', async () => {
    const { claimId, setupCode, device } = await factoryDevice('plug');
    const before = t.hub.context.registry.list().length;
    // A well-formed code that is not this device's (its first character changed).
    const wrong = `${setupCode[0] === 'A' ? 'B' : 'A'}${setupCode.slice(1)}`;
    for (let i = 0; i < 5; i++) {
      const r = await adopt(claimId, wrong);
      expect(r.status).toBe(403);
      const { error } = (await r.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain('could not prove the setup code; check the label');
    }
    expect(t.hub.context.registry.list().length).toBe(before);
    const listed = (await (await t.api('/api/v1/discovered')).json()) as {
      discovered: Array<{ claimId: string }>;
    };
    expect(listed.discovered.some((d) => d.claimId === claimId)).toBe(true);
    // The sixth attempt within the minute is refused before the device is asked, right code or not.
    const limited = await adopt(claimId, setupCode);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(t.hub.context.registry.list().length).toBe(before);
    device.child.kill('SIGTERM');
    await device.exited;
  }, 60_000);
});
