// A boot's side of the MQTT link: opens the connection as the device, and on every CONNACK
// subscribes, announces (info, state, `online`, the boot event once, the events kept offline) and
// remembers the hub address that answered; routes each inbound topic to its owner.
import type { MqttClient } from 'mqtt';
import { decodeJson } from '../../shared/decode.js';
import { HubTimeSchema, PAYLOAD_LIMITS } from '../../shared/payloads.js';
import { HUB_WILDCARD, hubTopic } from '../../shared/topics.js';
import type { BootCommands } from './boot-commands.js';
import type { DeviceTopics } from './boot-contract.js';
import type { BootReporter } from './boot-reporter.js';
import { type BootSession, failed, publish, runningVersion } from './boot-session.js';
import { type Connection, createConnection } from './connection.js';
import { formatHubAddress, type HubAddress, type HubLocator } from './hub-locator.js';
import type { OtaAgent } from './ota-types.js';

export interface BootLinkParts {
  reporter: BootReporter;
  commands: BootCommands;
  /** Queues a job on the boot's job queue. */
  enqueue(job: () => Promise<void>): void;
  schedules(payload: Buffer): Promise<void>;
  ota: OtaAgent;
  locators: readonly HubLocator[];
}

/** Creates the boot's connection (not yet started); s.topics and s.secret must be set. */
export function createBootLink(s: BootSession, parts: BootLinkParts): Connection {
  const { d } = s;
  const { reporter, ota } = parts;
  let announcedBoot = false;

  const announce = (t: DeviceTopics) => {
    publish(s, t.status, 'online', true);
    d.notify();
    if (!announcedBoot) {
      announcedBoot = true;
      reporter.emit({ type: 'booted', firmware: runningVersion(s), slot: s.state.firmware.active });
    }
    reporter.flushEvents(t);
    ota.announced();
  };

  const onConnect = (client: MqttClient, { address }: { address: HubAddress }) => {
    if (!s.topics) return;
    const t = s.topics;
    s.hubHost = address.host;
    const subs = [t.cmd, t.ota, HUB_WILDCARD, ...(s.keepsSchedules ? [t.schedules] : [])];
    client.subscribe(subs, { qos: 1 }, (err) => {
      if (err || s.dead || s.conn?.client !== client) return;
      reporter.publishInfo();
      s.online = true;
      void reporter.publishState().then(() => announce(t), failed(s, 'announce'));
    });
    const url = formatHubAddress(address);
    if (s.state.hubAddresses[0] !== url) {
      s.state.hubAddresses = [url, ...s.state.hubAddresses.filter((a) => a !== url)].slice(0, 8);
      s.flash.save().catch(failed(s, 'remember the hub address'));
    }
  };

  const onMessage = (topic: string, payload: Buffer) => {
    const t = s.topics;
    if (d.switches.frozen || !t) return;
    if (topic === t.cmd) parts.enqueue(() => parts.commands.handle(payload, reporter.publishAck));
    else if (topic === t.ota) ota.offer(payload);
    else if (topic === t.schedules) parts.enqueue(() => parts.schedules(payload));
    else if (topic === hubTopic('time')) {
      const time = decodeJson(HubTimeSchema, payload, PAYLOAD_LIMITS.hubTime);
      if (!time.ok) return s.log.warn({ code: time.error.code }, 'hub time refused');
      d.clock.observeHubTime(time.value.now);
      parts.commands.releaseHeld();
    }
  };

  const topics = s.topics as DeviceTopics;
  return createConnection({
    clientId: s.deviceId,
    username: s.deviceId,
    password: s.secret,
    will: { topic: topics.status, payload: 'offline' },
    locators: parts.locators,
    trust: d.image.body.hub.ca ?? s.state.provisioned?.tls?.ca,
    backoff: d.backoff,
    keepaliveSec: d.options.keepaliveSec ?? 30,
    log: s.log,
    onConnect,
    onMessage,
    onClose: () => {
      s.online = false;
      d.notify();
    },
  });
}
