// The broker unit in mosquitto mode: the hub runs no broker; it is a privileged client of a
// mosquitto 2.x and implements HubMessaging there. Devices, token readers and integrations
// authenticate against mosquitto's dynamic-security plugin (dynsec-sync.ts keeps it in step).
// Presence comes from each device's retained `status` and its will, which shadow-ingest reads.
import type { MqttClient } from 'mqtt';
import { allDevicesTopic, hubTopic } from '../../../shared/topics.js';
import type { HubContext } from '../../core/context.js';
import type { BrokerUnit } from '../broker.js';
import { createDynsecClient, type DynsecClient } from './dynsec-client.js';
import { HUB_ROLE, hubRole } from './dynsec-roles.js';
import { brokerSocketFactory, connectHubClient, parseBrokerUrl } from './hub-client.js';
import { createMosquittoMessaging } from './mosquitto-messaging.js';
import { createWebSocketPipe } from './websocket-pipe.js';

export interface MosquittoBrokerUnit extends BrokerUnit {
  readonly dynsec: DynsecClient;
  /** Called instead of a kick: a removed device's mosquitto client is deleted (which ends its sessions). */
  onKick(listener: (clientId: string) => void): void;
  /**
   * Called when the hub, listening, loses its connection to mosquitto (a restart, the network):
   * it no longer sees who comes and goes, so what it knew of presence is stale.
   */
  onConnectionLost(listener: () => void): void;
}

const CLIENTS_TOPIC = '$SYS/broker/clients/connected';
const STATUS_FILTER = allDevicesTopic('status');

async function hubRoleHeld(dynsec: DynsecClient, username: string): Promise<boolean> {
  const [r] = await dynsec.expectOk([{ command: 'getClient', username }]);
  const roles = (r?.data as { client?: { roles?: Array<{ rolename: string }> } })?.client?.roles ?? [];
  return roles.some((x) => x.rolename === HUB_ROLE);
}

/**
 * The admin that `mosquitto_ctrl dynsec init` creates may read everything but publish only to
 * $CONTROL: the hub gives itself the right to write under hearth/. A mosquitto without the plugin
 * never answers: that fails here with a clear message.
 */
async function prepareHubClient(
  c: MqttClient,
  username: string,
  discoveryPrefix: string,
): Promise<DynsecClient> {
  const dynsec = createDynsecClient(c);
  await dynsec.attach();
  await dynsec.expectOk([{ command: 'createRole', rolename: HUB_ROLE }], /already exists/i);
  await dynsec.expectOk(
    hubRole(discoveryPrefix).acls.map((a) => ({ command: 'addRoleACL', rolename: HUB_ROLE, ...a })),
    /already exists|already/i,
  );
  if (await hubRoleHeld(dynsec, username)) return dynsec;
  // Adding a role ends the client's own session (dynsec kicks it, and its answer is lost or an
  // "Internal error"): send it, wait for the reconnect, then check it took.
  const back = new Promise<void>((resolve) => c.once('connect', () => resolve()));
  void dynsec.run([{ command: 'addClientRole', username, rolename: HUB_ROLE }]).catch(() => undefined);
  await back;
  if (!(await hubRoleHeld(dynsec, username)))
    throw new Error(`could not give ${username} the ${HUB_ROLE} role`);
  return dynsec;
}

export function createMosquittoBroker(ctx: HubContext): MosquittoBrokerUnit {
  const log = ctx.log.child({ module: 'broker', broker: 'mosquitto' });
  const { broker: conf } = ctx.config;
  const endpoint = parseBrokerUrl(conf.url);
  const kickListeners: Array<(clientId: string) => void> = [];
  const lostListeners: Array<() => void> = [];
  let client: MqttClient | undefined;
  let connected = false;
  let listening = false;
  let dynsec: DynsecClient | undefined;
  let connectedClients = 0;
  const webSocket = createWebSocketPipe(log, brokerSocketFactory(conf));
  const { messaging, receive, listen, keepSubscriptions, resubscribe } = createMosquittoMessaging(log, () => {
    if (!client) throw new Error('broker not started');
    return client;
  });

  const connectionLost = () => {
    if (!connected) return;
    connected = false;
    if (!listening) return;
    log.warn({ url: conf.url }, 'lost mosquitto; device presence unknown until it is back');
    for (const l of lostListeners) l();
  };
  // Back on mosquitto after losing it: the will may have said the hub is offline, or a restarted
  // mosquitto forgot what was retained, so the hub says it is online again. A session mosquitto
  // kept does not send retained messages again: the status filter is subscribed once more so the
  // hub learns who is online; a new session is subscribed afresh by mqtt.js, retained included.
  const connectionBack = (sessionPresent: boolean) => {
    if (connected) return;
    connected = true;
    if (!listening) return;
    log.info({ url: conf.url, sessionPresent }, 'back on mosquitto');
    const retry = (what: string) => (err: Error) => log.warn({ err: err.message }, `could not ${what}`);
    if (sessionPresent) void resubscribe(STATUS_FILTER).catch(retry('read device presence again'));
    void messaging
      .publish(hubTopic('status'), 'online', { retain: true, qos: 1 })
      .catch(retry('say the hub is online'));
  };

  const onMessage: typeof receive = (topic, payload, packet) => {
    if (topic === CLIENTS_TOPIC) {
      connectedClients = Number(payload.toString()) || 0;
      return;
    }
    receive(topic, payload, packet);
  };

  return {
    name: 'broker',
    messaging,
    get dynsec() {
      if (!dynsec) throw new Error('broker not started');
      return dynsec;
    },
    // Devices and integrations reach mosquitto's ports; these are what images and mDNS name.
    port: endpoint.port,
    get tlsPort() {
      return conf.tlsPort;
    },
    async start() {
      const c = connectHubClient(ctx.config);
      client = c;
      c.on('message', onMessage);
      c.on('error', (err) => log.warn({ err: err.message, url: conf.url }, 'mosquitto connection error'));
      c.on('offline', () => log.warn({ url: conf.url }, 'mosquitto unreachable; reconnecting'));
      c.on('close', () => {
        if (client === c) connectionLost();
      });
      c.on('connect', (connack) => {
        if (client === c) connectionBack(connack.sessionPresent);
      });
      await new Promise<void>((resolve, reject) => {
        // A start that fails stops trying: the unit never started, so nothing else would end it.
        const failed = (err: Error) => {
          client = undefined;
          c.end(true);
          reject(new Error(`cannot connect to mosquitto at ${conf.url}: ${err.message}`));
        };
        c.once('connect', () => {
          c.off('error', failed);
          resolve();
        });
        c.once('error', failed);
      });
      try {
        dynsec = await prepareHubClient(c, conf.username ?? '', ctx.config.ecosystem.discoveryPrefix);
        await c.subscribeAsync(CLIENTS_TOPIC, { qos: 0 });
      } catch (err) {
        client = undefined;
        c.end(true);
        throw err;
      }
      ctx.metrics.gauge(
        'hearth_mqtt_clients',
        'Connected MQTT clients (mosquitto $SYS)',
        () => connectedClients,
      );
      log.info({ url: conf.url }, 'connected to mosquitto as the hub');
    },
    async listen() {
      listen();
      listening = true;
    },
    async listenTls() {},
    renewTls() {},
    attachWebSocket(server, path = '/mqtt', accept = () => true) {
      webSocket.attach(server, path, accept);
    },
    clientCount: () => connectedClients,
    kick(clientId) {
      for (const l of kickListeners) l(clientId);
    },
    onKick(listener) {
      kickListeners.push(listener);
    },
    onConnectionLost(listener) {
      lostListeners.push(listener);
    },
    onClient() {},
    onSubscribed() {},
    stopping: keepSubscriptions,
    async stop() {
      await webSocket.close();
      const c = client;
      client = undefined;
      await c?.endAsync().catch(() => undefined);
    },
  };
}
