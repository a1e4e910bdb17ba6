import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

describe('command path: phone → hub → device → ack → phone', () => {
  let t: TestHub;
  beforeEach(async () => {
    t = await startTestHub();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('shows a device from its retained info/state, delivers a command and returns its ack as 200', async () => {
    const { id, client } = await t.connectDevice('tv');
    const device = await scriptDevice(id, client);
    await device.announce();
    const view = await waitFor(
      async () => {
        const res = await t.api(`/api/v1/devices/${id}`);
        const body = (await res.json()) as {
          online: boolean;
          reported: Record<string, unknown>;
          firmware: string | null;
        };
        return body.online && body.reported.channel === 1 ? body : null;
      },
      { what: 'device online with its state' },
    );
    expect(view.firmware).toBe('1.0.0');

    const res = await t.api(`/api/v1/devices/${id}/commands`, {
      method: 'POST',
      json: { capability: 'channel', value: 7 },
    });
    expect(res.status).toBe(200);
    const record = (await res.json()) as { status: string; capability: string; value: number };
    expect(record).toMatchObject({ status: 'done', capability: 'channel', value: 7 });
    expect(device.commands).toHaveLength(1);
    expect(device.commands[0]).toMatchObject({ capability: 'channel', value: 7 });

    const after = await waitFor(
      async () => {
        const body = (await (await t.api(`/api/v1/devices/${id}`)).json()) as {
          reported: { channel: number };
          desired: { channel: number };
        };
        return body.reported.channel === 7 ? body : null;
      },
      { what: 'reported channel 7' },
    );
    expect(after.desired.channel).toBe(7);
  });

  it('streams state and availability changes over SSE', async () => {
    const controller = new AbortController();
    const res = await t.api('/api/v1/events', { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const decoder = new TextDecoder();
    const read = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await read('event: hello');
    const { id, client } = await t.connectDevice('tv');
    const device = await scriptDevice(id, client);
    await device.announce({ power: true, channel: 3, volume: 10, mute: false, input: 'tv' });
    await read('event: device.availability');
    await read('"channel":3');
    expect(text).toContain('event: device.added');
    expect(text).toContain('event: device.state');
    expect(text).toContain(`"deviceId":"${id}"`);
    controller.abort();
  });

  it('a device that refuses answers with its error code, and the record says why', async () => {
    const { id, client } = await t.connectDevice('tv');
    const device = await scriptDevice(id, client);
    await device.announce();
    await waitFor(() => t.hub.context.registry.get(id)?.online, { what: 'online' });
    device.answerWith(() => ({ ok: false, error: { code: 'device_fault', message: 'the TV is updating' } }));
    const res = await t.api(`/api/v1/devices/${id}/commands`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    expect(res.status).toBe(409);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { command: { status: string } } };
    };
    expect(body.error.code).toBe('device_fault');
    expect(body.error.message).toBe('the TV is updating');
    expect(body.error.details.command.status).toBe('failed');

    // Refusals and timeouts go through the API's one error handler and are counted there.
    device.answerWith(() => null);
    const silent = await t.api(`/api/v1/devices/${id}/commands?wait=50`, {
      method: 'POST',
      json: { capability: 'power', value: false },
    });
    expect(silent.status).toBe(504);
    const metrics = await (await t.api('/metrics')).text();
    expect(metrics).toMatch(/hearth_api_errors_total\{code="device_fault"\} [1-9]/);
    expect(metrics).toMatch(/hearth_api_errors_total\{code="timeout"\} [1-9]/);
  });

  it('a command for an offline device is accepted (202), queued, and delivered when it comes online', async () => {
    const { id, client } = await t.connectDevice('tv');
    await client.publishAsync(`hearth/dev/${id}/status`, 'offline', { retain: true, qos: 1 });
    await client.endAsync();
    await waitFor(() => t.hub.context.registry.get(id)?.online === false, { what: 'device offline' });
    const asked = Date.now();
    const res = await t.api(`/api/v1/devices/${id}/commands?wait=5000`, {
      method: 'POST',
      json: { capability: 'volume', value: 30 },
    });
    expect(res.status).toBe(202);
    // At once, not after `wait`: the hub knows the device is offline.
    expect(Date.now() - asked).toBeLessThan(1000);
    const queued = (await res.json()) as { id: string; status: string; expiresAt: number };
    expect(queued.status).toBe('pending');
    expect(queued.expiresAt).toBeGreaterThan(Date.now());

    const again = await t.connectDeviceAs(id);
    const device = await scriptDevice(id, again);
    await device.announce();
    await waitFor(() => device.commands.find((c) => c.id === queued.id), {
      what: 'queued command delivered',
    });
    const done = await waitFor(
      async () => {
        const r = (await (await t.api(`/api/v1/commands/${queued.id}`)).json()) as { status: string };
        return r.status === 'done' ? r : null;
      },
      { what: 'command done' },
    );
    expect(done.status).toBe('done');
  });

  it('an action that expired while the device was offline is never sent', async () => {
    const { id, client } = await t.connectDevice('feeder');
    await client.publishAsync(`hearth/dev/${id}/status`, 'offline', { retain: true, qos: 1 });
    await client.endAsync();
    const res = await t.api(`/api/v1/devices/${id}/commands?wait=0`, {
      method: 'POST',
      json: { capability: 'feed', params: { portions: 2 }, ttlMs: 1 },
    });
    expect(res.status).toBe(202);
    const queued = (await res.json()) as { id: string };
    await waitFor(
      async () => {
        const r = (await (await t.api(`/api/v1/commands/${queued.id}`)).json()) as { status: string };
        return r.status === 'expired';
      },
      { what: 'command expired' },
    );
    const again = await t.connectDeviceAs(id);
    const device = await scriptDevice(id, again, [
      { name: 'feed' },
      { name: 'hopper' },
      { name: 'schedules' },
    ]);
    await device.announce({ hopper: 100 });
    // The hub re-sends due commands synchronously when it sees `online`; a later round trip proves
    // it had its chance: a fresh command arrives while the expired one never does.
    const fresh = await t.api(`/api/v1/devices/${id}/commands`, {
      method: 'POST',
      json: { capability: 'feed', params: { portions: 1 } },
    });
    expect(fresh.status).toBe(200);
    expect(device.commands.map((c) => c.params?.portions)).toEqual([1]);
  });
});
