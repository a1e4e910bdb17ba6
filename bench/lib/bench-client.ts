// The bench's MQTT client: mqtt.js over a TCP socket with Nagle off (neither mqtt.js nor aedes sets
// TCP_NODELAY by default, which alone adds ~40 ms to a round trip), the same for every broker.
import { connect as netConnect } from 'node:net';
import { MqttClient } from 'mqtt';

export interface Credentials {
  username: string;
  password: string;
  clientId: string;
}

export function client(port: number, c: Credentials): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const m = new MqttClient(() => netConnect({ host: '127.0.0.1', port, noDelay: true }), {
      clientId: c.clientId,
      username: c.username,
      password: c.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      keepalive: 60,
    });
    m.once('connect', () => resolve(m));
    m.once('error', reject);
  });
}
