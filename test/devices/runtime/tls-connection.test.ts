// A device that holds the hub CA connects over MQTT over TLS and verifies the hub; one that holds
// another CA, or holds the CA but knows only a plain address, never connects and says why.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevice, type Device } from '../../../devices/runtime/device-runtime.js';
import { createCa } from '../../../hub/tls/ca.js';
import { decodeImage, encodeImage, type FirmwareImage } from '../../../shared/firmware-image.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';
import { tempDir } from '../support/plain-broker.js';

describe('device firmware over TLS', () => {
  let t: TestHub;
  const dir = tempDir();
  const devices: Device[] = [];
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    for (const d of devices) d.kill();
    await t.cleanup();
    dir.remove();
  });

  const register = async () => {
    const res = await t.api('/api/v1/devices', {
      method: 'POST',
      json: { name: 'TLS light', model: 'light' },
    });
    const body = (await res.json()) as {
      device: { id: string };
      secret: string;
      mqtt: { tlsPort: number; ca: string };
    };
    expect(body.mqtt.ca).toBe(t.hub.tls.caPem);
    expect(body.mqtt.tlsPort).toBe(t.hub.ports.mqttTls);
    return body;
  };
  const image = (id: string, secret: string, addresses: string[], ca: string): FirmwareImage =>
    decodeImage(
      encodeImage({
        firmware: '1.0.0',
        body: {
          identity: { model: 'light', name: 'TLS light', deviceId: id },
          credentials: { secret },
          hub: { addresses, ca },
          createdAt: Date.now(),
        },
      }),
    );
  /** Boots a device whose log lines are collected, so a test can wait for what it says. */
  const boot = (img: FirmwareImage) => {
    const lines: Array<{ msg: string }> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const device = createDevice({
      image: img,
      flashDir: dir.path,
      log: pino({ level: 'info' }, sink),
      backoff: { baseMs: 20, maxMs: 200 },
    });
    devices.push(device);
    return { device, lines, started: device.start() };
  };

  it('verifies the hub by its address and comes online over mqtts', async () => {
    const { device: reg, secret } = await register();
    const tlsUrl = `mqtts://127.0.0.1:${t.hub.ports.mqttTls}`;
    const { device, started } = boot(image(reg.id, secret, [tlsUrl], t.hub.tls.caPem));
    await started;
    await waitFor(() => device.online && t.hub.context.registry.get(reg.id)?.online, {
      what: 'online over TLS',
    });
    // A dropped network: the device reconnects and resumes its TLS session (no new full handshake).
    const resumed = async () =>
      Number(
        /hearth_mqtt_tls_handshakes_total\{resumed="yes"\} (\d+)/.exec(
          await (await t.api('/metrics')).text(),
        )?.[1] ?? 0,
      );
    const before = await resumed();
    await device.fault({ fault: 'drop' });
    await waitFor(async () => (await resumed()) > before && device.online, { what: 'a resumed TLS session' });
    device.kill();
  });

  it('refuses a hub whose certificate does not verify against the CA it holds', async () => {
    const { device: reg, secret } = await register();
    const other = await createCa();
    const tlsUrl = `mqtts://127.0.0.1:${t.hub.ports.mqttTls}`;
    const { device, lines, started } = boot(image(reg.id, secret, [tlsUrl], other.certPem));
    await started;
    await waitFor(() => lines.some((l) => /refusing the hub: its certificate does not verify/.test(l.msg)), {
      what: 'the refusal in the log',
    });
    expect(device.online).toBe(false);
    expect(t.hub.context.registry.get(reg.id)?.online).toBe(false);
    device.kill();
  });

  it('holding the CA, it never falls back to a plain address', async () => {
    const { device: reg, secret } = await register();
    const { device, lines, started } = boot(image(reg.id, secret, [t.mqttUrl], t.hub.tls.caPem));
    await started;
    await waitFor(() => lines.some((l) => /speaks only MQTT over TLS; plain addresses skipped/.test(l.msg)), {
      what: 'the skipped plain address in the log',
    });
    expect(device.online).toBe(false);
    device.kill();
  });
});
