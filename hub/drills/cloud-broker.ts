// The "cloud" for tests and benches: a second, plain aedes broker on its own loopback port, and a
// recorder of everything published to it.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';

export interface CloudBroker {
  port: number;
  messages: Array<{ topic: string; body: Record<string, unknown> }>;
  client(): Promise<MqttClient>;
  close(): Promise<void>;
}

/** The first port of the kernel's ephemeral range (where outgoing connections get theirs). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const bindable = (port: number) =>
  new Promise<number | null>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => {
      const { port: bound } = s.address() as { port: number };
      s.close(() => resolve(bound));
    });
  });

const handedOut = new Set<number>();

/**
 * A loopback port free now, for a process started next that must bind it (and keep it across
 * restarts). Chosen below the ephemeral range: a port the kernel hands out for `listen(0)` is also
 * what it hands the next outgoing connection, so in a parallel test run another process's client
 * could take it before the hub binds it.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 10_000 + Math.floor(Math.random() * (low - 10_000));
    // A port handed out earlier in this process may be closed now but is someone's to bind.
    if (handedOut.has(candidate)) continue;
    const port = await bindable(candidate);
    if (port === null) continue;
    handedOut.add(port);
    return port;
  }
  return (await bindable(0)) as number;
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
