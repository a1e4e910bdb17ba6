// In-process subscriptions counted per topic: many entities read the same state topic (every
// entity of a Zigbee2MQTT device reads `zigbee2mqtt/<name>`), so each topic is subscribed once and
// released when its last reader goes.
import type { HubMessaging } from '../core/context.js';

export interface TopicSubscriptions {
  /** Makes `topics` exactly the set subscribed for `owner`. */
  set(owner: string, topics: Iterable<string>): Promise<void>;
  clear(): Promise<void>;
}

export function createTopicSubscriptions(
  messaging: HubMessaging,
  onMessage: (topic: string, payload: Buffer) => void,
): TopicSubscriptions {
  const byOwner = new Map<string, Set<string>>();
  const subscribed = new Map<string, { count: number; unsubscribe: Promise<() => Promise<void>> }>();

  const acquire = async (topic: string) => {
    const s = subscribed.get(topic);
    if (s) {
      s.count++;
      return;
    }
    const unsubscribe = messaging.subscribe(topic, onMessage);
    subscribed.set(topic, { count: 1, unsubscribe });
    await unsubscribe;
  };
  const release = async (topic: string) => {
    const s = subscribed.get(topic);
    if (!s) return;
    if (--s.count > 0) return;
    subscribed.delete(topic);
    await (await s.unsubscribe)();
  };

  return {
    async set(owner, topics) {
      const next = new Set(topics);
      const prev = byOwner.get(owner) ?? new Set<string>();
      if (next.size === 0) byOwner.delete(owner);
      else byOwner.set(owner, next);
      for (const t of next) if (!prev.has(t)) await acquire(t);
      for (const t of prev) if (!next.has(t)) await release(t);
    },
    async clear() {
      byOwner.clear();
      const all = [...subscribed.values()];
      subscribed.clear();
      await Promise.all(all.map(async (s) => (await s.unsubscribe)()));
    },
  };
}
