// A plain aedes broker (no auth) on a free loopback port, plus a watcher client that records what
// devices publish: enough to test the firmware runtime without the hub.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { decodeImage, encodeImage, type FirmwareImage } from '../../../shared/firmware-image.js';
import { waitFor } from '../../support/wait.js';

export interface PlainBroker {
  port: number;
  url: string;
  broker: Aedes;
  watcher: MqttClient;
  /** Messages seen by the watcher, in order. */
  seen: Array<{ topic: string; payload: string; retain: boolean }>;
  /** Waits for a message on `topic` matching `match`, seen after index `from`. */
  next(topic: string, match?: (payload: string) => boolean, from?: number): Promise<string>;
  publishCommand(deviceId: string, cmd: Record<string, unknown>): Promise<void>;
  /** Closes the listener and every connection (devices see the hub vanish). */
  close(): Promise<void>;
}

export async function startPlainBroker(port = 0): Promise<PlainBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer({ noDelay: true }, broker.handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as { port: number }).port;
  const url = `mqtt://127.0.0.1:${bound}`;
  const watcher = await mqtt.connectAsync(url, { clientId: 'watcher', reconnectPeriod: 0 });
  const seen: PlainBroker['seen'] = [];
  watcher.on('message', (topic, payload, packet) =>
    seen.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await watcher.subscribeAsync('hearth/dev/#', { qos: 1 });
  return {
    port: bound,
    url,
    broker,
    watcher,
    seen,
    async next(topic, match = () => true, from = 0) {
      const hit = await waitFor(() => seen.slice(from).find((m) => m.topic === topic && match(m.payload)), {
        what: `a message on ${topic}`,
      });
      return hit.payload;
    },
    async publishCommand(deviceId, cmd) {
      await watcher.publishAsync(`hearth/dev/${deviceId}/cmd`, JSON.stringify(cmd), { qos: 1 });
    },
    async close() {
      await watcher.endAsync(true).catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        broker.close();
      });
    },
  };
}

export function tempDir(prefix = 'hearth-dev-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 }),
  };
}

let counter = 0;
export function testImage(
  model: string,
  opts: { port: number; deviceId?: string; secret?: string; releaseKey?: string },
): FirmwareImage {
  counter += 1;
  const deviceId = opts.deviceId ?? `${model}-${process.pid}-${counter}`;
  const bytes = encodeImage({
    firmware: '1.0.0',
    body: {
      identity: { model, name: `Test ${model}`, deviceId },
      credentials: { secret: opts.secret ?? 'a-test-secret-of-some-length' },
      hub: { addresses: [`mqtt://127.0.0.1:${opts.port}`], mdnsName: 'hearth' },
      ...(opts.releaseKey ? { release: { publicKey: opts.releaseKey } } : {}),
      createdAt: Date.now(),
    },
  });
  return decodeImage(bytes);
}
