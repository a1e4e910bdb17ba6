import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDevice, type Device } from '../../../devices/runtime/device-runtime.js';
import { waitFor } from '../../support/wait.js';
import { type PlainBroker, startPlainBroker, tempDir, testImage } from '../support/plain-broker.js';

const log = pino({ level: 'silent' });

describe('device runtime against a plain broker', () => {
  let broker: PlainBroker;
  let dir: ReturnType<typeof tempDir>;
  const devices: Device[] = [];
  beforeEach(async () => {
    broker = await startPlainBroker();
    dir = tempDir();
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) d.kill();
    await broker.close();
    dir.remove();
  });

  const boot = async (model: string) => {
    const image = testImage(model, { port: broker.port });
    const device = createDevice({ image, flashDir: dir.path, log, backoff: { baseMs: 20, maxMs: 200 } });
    devices.push(device);
    await device.start();
    await waitFor(() => device.online, { what: 'online' });
    return device;
  };

  it('announces info, state and online, retained', async () => {
    const tv = await boot('tv');
    const info = JSON.parse(await broker.next(`hearth/dev/${tv.id}/info`));
    expect(info.model).toBe('tv');
    expect(await broker.next(`hearth/dev/${tv.id}/status`)).toBe('online');
    const state = JSON.parse(await broker.next(`hearth/dev/${tv.id}/state`));
    expect(state.values).toMatchObject({ power: false, channel: 1 });
  });

  it('acks a setting, changes state, and re-acks a duplicate without acting twice', async () => {
    const tv = await boot('tv');
    const now = Date.now();
    const cmd = { id: 'c1', capability: 'channel', value: 7, issuedAt: now, expiresAt: now + 60_000 };
    await broker.publishCommand(tv.id, cmd);
    expect(JSON.parse(await broker.next(`hearth/dev/${tv.id}/ack`))).toEqual({ id: 'c1', ok: true });
    expect(tv.snapshot().values.channel).toBe(7);
  });
});
