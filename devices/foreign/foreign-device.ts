// A simulated foreign device: connects to an MQTT broker (the hub's, as an integration user, or any
// mosquitto), announces itself with Home Assistant discovery (retained), keeps its availability as
// a retained message with the offline one as its will, obeys its command topics and reports state.
// It announces again when Home Assistant (or Hearth) says `homeassistant/status online`.
import mqtt, { type MqttClient } from 'mqtt';
import type { ForeignProfile, ForeignState } from './profiles.js';

export interface ForeignDeviceOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  profile: ForeignProfile;
  onCommand?: (topic: string, payload: string, state: ForeignState) => void;
}

export interface RunningForeignDevice {
  state(): ForeignState;
  stop(): Promise<void>;
}

export async function startForeignDevice(opts: ForeignDeviceOptions): Promise<RunningForeignDevice> {
  const { profile } = opts;
  let state = { ...profile.initial };
  const { availability } = profile;
  const client: MqttClient = await mqtt.connectAsync(opts.url, {
    clientId: opts.clientId,
    ...(opts.username ? { username: opts.username, password: opts.password ?? '' } : {}),
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    will: { topic: availability.topic, payload: Buffer.from(availability.offline), retain: true, qos: 1 },
  });
  const report = async () => {
    for (const m of profile.report(state))
      await client.publishAsync(m.topic, m.payload, { retain: true, qos: 1 });
  };
  const announce = async () => {
    for (const c of profile.configs)
      await client.publishAsync(c.topic, JSON.stringify(c.payload), { retain: true, qos: 1 });
    await client.publishAsync(availability.topic, availability.online, { retain: true, qos: 1 });
    await report();
  };
  client.on('message', (topic, payload) => {
    const text = payload.toString('utf8');
    if (topic === 'homeassistant/status') {
      if (text === 'online') void announce().catch(() => undefined);
      return;
    }
    const next = profile.apply(topic, text, state);
    if (!next) return;
    state = next;
    opts.onCommand?.(topic, text, state);
    void report().catch(() => undefined);
  });
  client.on('connect', () => void announce().catch(() => undefined));
  await client.subscribeAsync([...profile.commandTopics, 'homeassistant/status'], { qos: 1 });
  await announce();
  return {
    state: () => state,
    async stop() {
      await client.publishAsync(availability.topic, availability.offline, { retain: true, qos: 1 });
      await client.endAsync();
    },
  };
}
