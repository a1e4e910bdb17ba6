// Cloud sync, nothing twice and nothing out of order, against a real hub and a real second broker
// as the cloud: a replayed remote command feeds once (also across a hub restart), a late one is
// refused, commands the cloud queued while the hub was away arrive once, and per device the cloud
// never receives a change older than one it already has, with events and states interleaved
// across a cloud outage.
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { freePort, startCloudBroker } from '../../../hub/drills/cloud-broker.js';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const fast = {
  ratePerSecond: 0,
  backoffMaxMs: 300,
  breakerHalfOpenMs: 300,
  connectTimeoutMs: 1000,
  topicPrefix: 'hearth/home-1',
};
const feederCaps = [{ name: 'feed' }, { name: 'hopper' }];
type Result = { id?: string; ok: boolean; commandId?: string; error?: { code: string } };
const cloudState = async (t: TestHub) =>
  ((await (await t.api('/api/v1/cloud')).json()) as { state: string; queueDepth: number }).state;

describe('cloud sync: once, in order', () => {
  it('a replayed remote command feeds once, a late one is refused, one queued while the hub was away arrives once', async () => {
    const port = await freePort();
    const cloud = await startCloudBroker(port);
    const config = {
      plugins: {
        'cloud-sync': { url: `mqtt://127.0.0.1:${port}`, ...fast, allow: { capabilities: ['feed'] } },
      },
    };
    const first = await startTestHub({ config });
    const remote = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    const results: Result[] = [];
    remote.on('message', (_t, payload) => results.push(JSON.parse(payload.toString()) as Result));
    const send = (deviceId: string, body: object) =>
      remote.publishAsync(`hearth/home-1/cmd/${deviceId}`, JSON.stringify(body), { qos: 1 });
    let second: TestHub | undefined;
    try {
      const { id, secret, client } = await first.connectDevice('feeder');
      const feeder = await scriptDevice(id, client, feederCaps);
      await feeder.announce({ hopper: 80 });
      await remote.subscribeAsync(`hearth/home-1/cmd-result/${id}`, { qos: 1 });
      await waitFor(async () => (await cloudState(first)) === 'connected', { what: 'cloud connected' });

      const remote1 = { id: 'remote-1', capability: 'feed', issuedAt: Date.now() };
      await send(id, remote1);
      await send(id, remote1);
      await send(id, {
        id: 'remote-late',
        capability: 'feed',
        issuedAt: Date.now() - 600_000,
        ttlMs: 60_000,
      });
      await send(id, { ...remote1, params: { portions: 3 } });
      await waitFor(() => results.filter((r) => r.id === 'remote-1').length === 3, { what: 'three answers' });
      // Answers leave as each settles (the conflict needs no device, the feed waits for its ack),
      // so they are told apart by what they say, not by their order.
      const answers = results.filter((r) => r.id === 'remote-1');
      const [a, b] = answers.filter((r) => r.ok);
      expect(a).toMatchObject({ ok: true, status: 'done' });
      expect(b).toMatchObject({ ok: true, commandId: a?.commandId });
      // The same id with another body is a conflict, not a feed.
      expect(answers.filter((r) => !r.ok)).toMatchObject([{ ok: false, error: { code: 'conflict' } }]);
      expect(results.find((r) => r.id === 'remote-late')).toMatchObject({
        ok: false,
        error: { code: 'expired' },
      });
      expect(feeder.commands.filter((cmd) => cmd.capability === 'feed')).toHaveLength(1);

      // The hub goes away; the cloud keeps its session and queues what arrives for it.
      await first.stop();
      await send(id, { id: 'remote-2', capability: 'feed', issuedAt: Date.now() });
      second = await startTestHub({ dataDir: first.dataDir, config });
      const back = await scriptDevice(id, await second.connectDeviceAs(id, secret), feederCaps, 100);
      await back.announce({ hopper: 70 });
      const queued = await waitFor(() => results.find((r) => r.id === 'remote-2'), {
        what: 'the command queued while the hub was away',
        timeoutMs: 15_000,
      });
      expect(queued.ok).toBe(true);
      await waitFor(() => back.commands.some((cmd) => cmd.capability === 'feed'), {
        what: 'fed after restart',
      });
      // remote-1 again, after the restart: still known (on disk), still one feed.
      await send(id, remote1);
      await waitFor(() => results.filter((r) => r.id === 'remote-1').length === 4, {
        what: 'replay answered',
      });
      expect(results.filter((r) => r.id === 'remote-1').at(-1)).toMatchObject({
        ok: true,
        commandId: a?.commandId,
      });
      expect(back.commands.filter((cmd) => cmd.capability === 'feed')).toHaveLength(1);
      expect(results.filter((r) => r.id === 'remote-2')).toHaveLength(1);
      const list = (await (await second.api(`/api/v1/devices/${id}/commands`)).json()) as {
        commands: Array<{ capability: string; source: string }>;
      };
      expect(list.commands.filter((cmd) => cmd.capability === 'feed' && cmd.source === 'cloud')).toHaveLength(
        2,
      );
    } finally {
      await remote.endAsync(true);
      await second?.cleanup();
      await first.cleanup();
      await cloud.close();
    }
  }, 60_000);

  it('per device, nothing the cloud receives is older than what it received before (events and states across an outage)', async () => {
    const port = await freePort();
    let cloud = await startCloudBroker(port);
    const received: Array<{ topic: string; body: Record<string, unknown> }> = [];
    const t = await startTestHub({
      config: { plugins: { 'cloud-sync': { url: `mqtt://127.0.0.1:${port}`, ...fast } } },
    });
    try {
      const { id, client } = await t.connectDevice('feeder');
      const feeder = await scriptDevice(id, client, feederCaps);
      await feeder.announce({ hopper: 100 });
      let fed = 0;
      let last = Date.now();
      const tick = async () => {
        await waitFor(() => Date.now() > last, { what: 'the clock to move' });
        last = Date.now();
      };
      const event = async () => {
        await tick();
        fed += 1;
        await client.publishAsync(
          `hearth/dev/${id}/event`,
          JSON.stringify({ type: 'fed', ts: Date.now(), portions: fed }),
          {
            qos: 1,
          },
        );
      };
      const state = async (hopper: number) => {
        await tick();
        await feeder.publishState({ hopper });
      };
      const depth = async () =>
        ((await (await t.api('/api/v1/cloud')).json()) as { queueDepth: number }).queueDepth;
      await waitFor(async () => (await cloudState(t)) === 'connected', { what: 'cloud connected' });
      await event();
      await state(90);
      await waitFor(async () => (await depth()) === 0, { what: 'first changes delivered' });
      received.push(...cloud.messages);
      await cloud.close();
      await waitFor(async () => (await cloudState(t)) !== 'connected', { what: 'cloud gone' });
      // The outage: fed(2), hopper 80, fed(3), hopper 70, fed(4), hopper 60, fed(5).
      for (const hopper of [80, 70, 60]) {
        await event();
        await state(hopper);
      }
      await event();
      await waitFor(async () => (await depth()) >= 5, { what: 'changes queued on disk' });
      cloud = await startCloudBroker(port);
      await waitFor(async () => (await depth()) === 0, { what: 'outbox drained', timeoutMs: 15_000 });
      received.push(...cloud.messages);

      const mine = received.filter((m) => m.body.deviceId === id);
      const at = mine.map((m) => m.body.at as number);
      for (let i = 1; i < at.length; i++)
        expect(at[i], `message ${i} of ${JSON.stringify(mine)}`).toBeGreaterThanOrEqual(at[i - 1] as number);
      const events = mine
        .filter((m) => m.body.kind === 'event')
        .map((m) => (m.body.data as { portions: number }).portions);
      expect(events).toEqual([1, 2, 3, 4, 5]);
      const states = mine.filter((m) => m.body.kind === 'state');
      expect((states.at(-1)?.body.data as { values: { hopper: number } } | undefined)?.values.hopper).toBe(
        60,
      );
    } finally {
      await t.cleanup();
      await cloud.close();
    }
  }, 60_000);
});
