import { describe, expect, it } from 'vitest';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

describe('restart on the same data directory', () => {
  it('keeps devices, tokens, desired and reported state, and pending commands', async () => {
    const first = await startTestHub();
    const { id, secret, client } = await first.connectDevice('tv');
    const device = await scriptDevice(id, client);
    await device.announce({ power: true, channel: 5, volume: 10, mute: false, input: 'hdmi1' });
    await waitFor(() => first.hub.context.registry.get(id)?.reported.channel === 5, { what: 'state in' });
    const ok = await first.api(`/api/v1/devices/${id}/commands`, {
      method: 'POST',
      json: { capability: 'volume', value: 40 },
    });
    expect(ok.status).toBe(200);
    await waitFor(() => first.hub.context.registry.get(id)?.reported.volume === 40, {
      what: 'volume reported',
    });
    await client.publishAsync(`hearth/dev/${id}/status`, 'offline', { retain: true, qos: 1 });
    await waitFor(() => first.hub.context.registry.get(id)?.online === false, { what: 'offline' });
    const queued = await first.api(`/api/v1/devices/${id}/commands`, {
      method: 'POST',
      json: { capability: 'mute', value: true },
    });
    expect(queued.status).toBe(202);
    const pendingId = ((await queued.json()) as { id: string }).id;
    const token = first.token;
    await first.stop();

    const second = await startTestHub({ dataDir: first.dataDir });
    try {
      expect((await second.api('/api/v1/session', { token })).status).toBe(200);
      const view = (await (await second.api(`/api/v1/devices/${id}`)).json()) as {
        online: boolean;
        reported: Record<string, unknown>;
        desired: Record<string, unknown>;
      };
      expect(view.online).toBe(false);
      expect(view.reported).toMatchObject({ channel: 5, volume: 40, input: 'hdmi1' });
      expect(view.desired).toMatchObject({ volume: 40, mute: true });
      const pending = (await (await second.api(`/api/v1/commands/${pendingId}`)).json()) as {
        status: string;
      };
      expect(pending.status).toBe('pending');

      const again = await second.connectDeviceAs(id, secret);
      const back = await scriptDevice(id, again, undefined, 100);
      await back.announce({ power: true, channel: 5, volume: 40, input: 'hdmi1' });
      await waitFor(() => back.commands.find((c) => c.id === pendingId), {
        what: 'pending command delivered after restart',
      });
      await waitFor(() => second.hub.context.registry.get(id)?.reported.mute === true, {
        what: 'mute applied',
      });
    } finally {
      await second.cleanup();
    }
  });
});
