import { describe, expect, it } from 'vitest';
import { freePort, startCloudBroker, startSilentServer } from '../../../hub/drills/cloud-broker.js';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const fast = {
  ratePerSecond: 0,
  backoffMaxMs: 300,
  breakerHalfOpenMs: 300,
  connectTimeoutMs: 1000,
  topicPrefix: 'hearth/home-1',
};
type CloudStatus = { state: string; queueDepth: number; sent: number; circuit: string };

describe('cloud sync plugin', () => {
  it('queues on disk while the cloud is down, then delivers everything in order, once per key', async () => {
    const port = await freePort();
    const t = await startTestHub({
      config: { plugins: { 'cloud-sync': { url: `mqtt://127.0.0.1:${port}`, ...fast } } },
    });
    try {
      const { id, client } = await t.connectDevice('tv');
      const device = await scriptDevice(id, client);
      await device.announce();
      // Local control is unaffected by the missing cloud.
      const res = await t.api(`/api/v1/devices/${id}/commands`, {
        method: 'POST',
        json: { capability: 'channel', value: 9 },
      });
      expect(res.status).toBe(200);
      for (let i = 0; i < 50; i++) {
        await client.publishAsync(
          `hearth/dev/${id}/event`,
          JSON.stringify({ type: 'button', ts: Date.now(), button: `b${i}` }),
          { qos: 1 },
        );
      }
      const queued = await waitFor(
        async () => {
          const s = (await (await t.api('/api/v1/cloud')).json()) as CloudStatus;
          return s.queueDepth >= 52 ? s : null;
        },
        { what: 'changes queued' },
      );
      expect(queued.sent).toBe(0);

      const cloud = await startCloudBroker(port);
      try {
        await waitFor(
          async () => ((await (await t.api('/api/v1/cloud')).json()) as CloudStatus).queueDepth === 0,
          { what: 'outbox drained', timeoutMs: 15_000 },
        );
        const events = cloud.messages.filter((m) => m.topic === `hearth/home-1/event/${id}`);
        expect(events.map((m) => (m.body.data as { button: string }).button)).toEqual(
          Array.from({ length: 50 }, (_, i) => `b${i}`),
        );
        const keys = cloud.messages.map((m) => m.body.key);
        expect(new Set(keys).size).toBe(keys.length);
        // States coalesced to the latest: the cloud sees channel 9, not every step.
        const states = cloud.messages.filter((m) => m.topic === `hearth/home-1/state/${id}`);
        expect(
          (states.at(-1)?.body.data as { values: { channel: number } } | undefined)?.values.channel,
        ).toBe(9);
        expect(states.length).toBeLessThanOrEqual(2);
        const metrics = await (await t.api('/metrics')).text();
        expect(metrics).toMatch(/hearth_cloud_outbox_depth 0/);
      } finally {
        await cloud.close();
      }
    } finally {
      await t.cleanup();
    }
  });

  for (const kind of ['silent', 'refused', 'unresolvable'] as const) {
    it(`a ${kind} cloud neither delays the hub's start nor LAN control`, async () => {
      const silent = kind === 'silent' ? await startSilentServer() : undefined;
      const url =
        kind === 'silent'
          ? `mqtt://127.0.0.1:${silent?.port}`
          : kind === 'refused'
            ? `mqtt://127.0.0.1:${await freePort()}`
            : 'mqtt://cloud.hearth.invalid:1883';
      const t0 = performance.now();
      const t = await startTestHub({
        config: { plugins: { 'cloud-sync': { url, ...fast, connectTimeoutMs: 60_000 } } },
      });
      const startMs = performance.now() - t0;
      try {
        expect(startMs).toBeLessThan(3000);
        const { id, client } = await t.connectDevice('tv');
        const device = await scriptDevice(id, client);
        await device.announce();
        const res = await t.api(`/api/v1/devices/${id}/commands`, {
          method: 'POST',
          json: { capability: 'power', value: true },
        });
        expect(res.status).toBe(200);
        const status = (await (await t.api('/api/v1/cloud')).json()) as CloudStatus;
        expect(status.state).not.toBe('connected');
        const health = (await (await t.api('/api/v1/health')).json()) as {
          components: Record<string, unknown>;
        };
        expect(health.components['cloud-sync']).toBeTruthy();
      } finally {
        await t.cleanup();
        await silent?.close();
      }
    });
  }

  it('a remote command reaches the device; one the cloud has no right to is refused', async () => {
    const port = await freePort();
    const cloud = await startCloudBroker(port);
    const t = await startTestHub({
      config: {
        plugins: {
          'cloud-sync': { url: `mqtt://127.0.0.1:${port}`, ...fast, allow: { capabilities: ['power'] } },
        },
      },
    });
    try {
      const { id, client } = await t.connectDevice('tv');
      const device = await scriptDevice(id, client);
      await device.announce();
      await waitFor(
        async () => ((await (await t.api('/api/v1/cloud')).json()) as CloudStatus).state === 'connected',
        { what: 'cloud connected' },
      );
      const remote = await cloud.client();
      const results: Array<Record<string, unknown>> = [];
      remote.on('message', (_topic, payload) =>
        results.push(JSON.parse(payload.toString()) as Record<string, unknown>),
      );
      await remote.subscribeAsync(`hearth/home-1/cmd-result/${id}`, { qos: 1 });
      await remote.publishAsync(
        `hearth/home-1/cmd/${id}`,
        JSON.stringify({ id: 'r1', capability: 'power', value: true }),
        { qos: 1 },
      );
      await waitFor(() => results.find((r) => r.id === 'r1'), { what: 'result of r1' });
      expect(results.find((r) => r.id === 'r1')).toMatchObject({ ok: true, status: 'done' });
      expect(device.commands.map((c) => c.capability)).toEqual(['power']);

      await remote.publishAsync(
        `hearth/home-1/cmd/${id}`,
        JSON.stringify({ id: 'r2', capability: 'channel', value: 3 }),
        { qos: 1 },
      );
      await remote.publishAsync(`hearth/home-1/cmd/${id}`, '{not json', { qos: 1 });
      const refused = await waitFor(() => results.find((r) => r.id === 'r2'), { what: 'result of r2' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      await waitFor(
        () => results.find((r) => (r.error as { code?: string } | undefined)?.code === 'invalid_json'),
        { what: 'bad JSON answered' },
      );
      expect(device.commands.map((c) => c.capability)).toEqual(['power']);
    } finally {
      await t.cleanup();
      await cloud.close();
    }
  });
});

describe('plugin isolation', () => {
  it('an unknown plugin or a bad plugin config is logged and skipped; the hub serves on', async () => {
    const t = await startTestHub({
      config: { plugins: { 'cloud-sync': { url: 'http://not-mqtt' }, teleporter: {} } },
    });
    try {
      const health = (await (await t.api('/api/v1/health')).json()) as {
        status: string;
        components: Record<string, { ok: boolean; detail?: { error?: string } }>;
      };
      expect(health.status).toBe('degraded');
      expect(health.components['cloud-sync']?.detail?.error).toMatch(/url must look like mqtt/);
      expect(health.components.teleporter?.detail?.error).toMatch(/unknown plugin "teleporter"/);
      expect((await t.api('/api/v1/devices')).status).toBe(200);
      expect((await t.api('/api/v1/cloud')).status).toBe(404);
    } finally {
      await t.cleanup();
    }
  });
});
