// The ecosystem feature: Home Assistant MQTT discovery on the hub's own broker. Foreign devices
// connect as integration MQTT users (`hearth mqtt-users add`), publish their discovery configs and
// state, and read their command topics.
import type { CoreContext, Unit } from '../context.js';
import { createDiscoveryConsumer } from './discovery-consumer.js';

export function createEcosystem(ctx: CoreContext): Unit[] {
  const { consume, discoveryPrefix } = ctx.config.ecosystem;
  if (!consume) return [];
  return [
    createDiscoveryConsumer(ctx, {
      prefix: discoveryPrefix,
      messaging: ctx.messaging,
      source: 'local',
      birth: true,
    }),
  ];
}
