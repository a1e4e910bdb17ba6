// The ecosystem feature: Home Assistant MQTT discovery on the hub's own broker and on bridged
// ones. Foreign devices connect as integration MQTT users (`hearth mqtt-users add`), publish their
// discovery configs and state, and read their command topics.
import type { CoreContext, Unit } from '../context.js';
import { createBridge } from './bridges.js';
import { createDiscoveryConsumer } from './discovery-consumer.js';
import { createDiscoveryPublisher } from './discovery-publisher.js';

export function createEcosystem(ctx: CoreContext): Unit[] {
  const { consume, publish, discoveryPrefix: prefix } = ctx.config.ecosystem;
  const units: Unit[] = [];
  if (consume)
    units.push(
      createDiscoveryConsumer(ctx, { prefix, messaging: ctx.messaging, source: 'local', birth: true }),
    );
  if (publish)
    units.push(createDiscoveryPublisher(ctx, { prefix, messaging: ctx.messaging, source: 'local' }));
  for (const bridge of ctx.config.bridges) units.push(createBridge(ctx, bridge));
  return units;
}
