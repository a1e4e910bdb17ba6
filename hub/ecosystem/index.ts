// The ecosystem feature: Home Assistant MQTT discovery on the hub's own broker and on bridged
// ones. Foreign devices connect as integration MQTT users (`hearth mqtt-users add`), publish their
// discovery configs and state, and read their command topics.

import type { ApiUnit } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import { createDiscoveryConsumer, type DiscoveryConsumer } from './discovery-consumer.js';
import { createDiscoveryPublisher } from './discovery-publisher.js';
import { createEcosystemModule } from './ecosystem-routes.js';

export async function createEcosystem(ctx: CoreContext): Promise<ApiUnit[]> {
  const { consume, publish, discoveryPrefix: prefix } = ctx.config.ecosystem;
  const units: ApiUnit[] = [];
  const consumers: Array<{ source: string; consumer: DiscoveryConsumer }> = [];
  if (consume) {
    const consumer = createDiscoveryConsumer(ctx, {
      prefix,
      messaging: ctx.messaging,
      source: 'local',
      birth: true,
    });
    consumers.push({ source: 'local', consumer });
    units.push(consumer);
  }
  if (publish)
    units.push(createDiscoveryPublisher(ctx, { prefix, messaging: ctx.messaging, source: 'local' }));
  if (ctx.config.bridges.length > 0) {
    // The MQTT client library is imported only when a bridge is configured.
    const { createBridge } = await import('./bridges.js');
    for (const config of ctx.config.bridges) {
      const bridge = createBridge(ctx, config);
      if (bridge.consumer) consumers.push({ source: `bridge-${config.name}`, consumer: bridge.consumer });
      units.push(bridge);
    }
  }
  units.push({
    name: 'ecosystem-api',
    start: () => undefined,
    stop: () => undefined,
    apiModules: [createEcosystemModule(consumers)],
  });
  return units;
}
