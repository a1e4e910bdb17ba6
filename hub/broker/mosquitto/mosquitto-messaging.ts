// HubMessaging over the hub's one mosquitto connection: one MQTT subscription per filter, tagged
// with a subscription identifier so each message reaches only its filters' handlers, and a
// resumed session's backlog held until the hub is ready to listen.
import type { ISubscriptionMap, MqttClient } from 'mqtt';
import { topicMatches } from '../../../shared/topic-filters.js';
import type { HubMessaging } from '../../core/context.js';
import type { Logger } from '../../infra/log.js';
import { subscriptionIdFor } from './hub-client.js';

type Handler = (topic: string, payload: Buffer) => void;
/** Messages held between connecting and listen() (a resumed session's backlog); beyond, the oldest go. */
const HELD_LIMIT = 50_000;

export interface MosquittoMessaging {
  messaging: HubMessaging;
  /** A message from the connection, as mqtt.js hands it over. */
  receive(
    topic: string,
    payload: Buffer,
    packet: { properties?: { subscriptionIdentifier?: number | number[] } },
  ): void;
  /** Delivers what was held since connecting, and everything from now on. */
  listen(): void;
  /** From now on an unsubscribe only drops the handler: the session keeps the subscription. */
  keepSubscriptions(): void;
  /** Subscribes to a filter the hub holds once more, so mosquitto sends its retained messages again. */
  resubscribe(filter: string): Promise<void>;
}

export function createMosquittoMessaging(log: Logger, requireClient: () => MqttClient): MosquittoMessaging {
  const byFilter = new Map<string, { id: number; handlers: Set<Handler> }>();
  const byId = new Map<number, string>();
  let held: Array<[string, Buffer, number[]]> | null = [];
  let keep = false;

  const route = (topic: string, payload: Buffer, ids: number[]) => {
    const filters = ids.length > 0 ? ids.map((id) => byId.get(id)) : [...byFilter.keys()];
    for (const filter of filters) {
      if (filter === undefined || !topicMatches(filter, topic)) continue;
      for (const h of byFilter.get(filter)?.handlers ?? []) {
        try {
          h(topic, payload);
        } catch (err) {
          log.error({ err, topic }, 'subscriber failed');
        }
      }
    }
  };

  const messaging: HubMessaging = {
    async publish(topic, payload, options = {}) {
      await requireClient().publishAsync(topic, payload, {
        qos: options.qos ?? 0,
        retain: options.retain ?? false,
      });
    },
    async subscribe(filter, handler) {
      const c = requireClient();
      let entry = byFilter.get(filter);
      if (!entry) {
        const id = subscriptionIdFor(filter, new Set(byId.keys()));
        entry = { id, handlers: new Set() };
        byFilter.set(filter, entry);
        byId.set(id, filter);
        await c.subscribeAsync(filter, { qos: 1, properties: { subscriptionIdentifier: id } });
      }
      entry.handlers.add(handler);
      const own = entry;
      return async () => {
        own.handlers.delete(handler);
        if (own.handlers.size > 0 || byFilter.get(filter) !== own) return;
        byFilter.delete(filter);
        byId.delete(own.id);
        if (!keep) await c.unsubscribeAsync(filter).catch(() => undefined);
      };
    },
  };

  return {
    messaging,
    receive(topic, payload, packet) {
      if (topic.startsWith('$')) return;
      const sid = packet.properties?.subscriptionIdentifier;
      const ids = sid === undefined ? [] : Array.isArray(sid) ? sid : [sid];
      if (held) {
        if (held.length >= HELD_LIMIT) held.shift();
        held.push([topic, payload, ids]);
        return;
      }
      route(topic, payload, ids);
    },
    listen() {
      const backlog = held ?? [];
      held = null;
      for (const [topic, payload, ids] of backlog) route(topic, payload, ids);
    },
    keepSubscriptions() {
      keep = true;
    },
    async resubscribe(filter) {
      const entry = byFilter.get(filter);
      if (!entry) return;
      // mqtt.js skips a filter it holds already unless told this is a resubscription.
      const again: ISubscriptionMap = { [filter]: { qos: 1 } };
      again.resubscribe = true;
      await requireClient().subscribeAsync(again, { properties: { subscriptionIdentifier: entry.id } });
    },
  };
}
