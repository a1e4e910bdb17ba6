// The "cloud" for tests and benches: a second, plain aedes broker on its own loopback port, and a
// recorder of everything published to it.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';

export interface CloudBroker {
  port: number;
  messages: Array<{ topic: string; body: Record<string, unknown> }>;
  client(): Promise<MqttClient>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startCloudBroker(port: number): Promise<CloudBroker> {
  const broker = await Aedes.createBroker();
  const messages: CloudBroker['messages'] = [];
  broker.on('publish', (packet, client) => {
    if (!client || !packet.topic.startsWith('hearth/')) return;
    try {
      messages.push({
        topic: packet.topic,
        body: JSON.parse(packet.payload.toString()) as Record<string, unknown>,
      });
    } catch {
      // not JSON (a test's deliberately bad command); not a change from the hub
    }
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    broker.handle(s);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const clients: MqttClient[] = [];
  return {
    port,
    messages,
    async client() {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

/** Accepts TCP and never says a word: the "silent cloud". */
export async function startSilentServer(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
