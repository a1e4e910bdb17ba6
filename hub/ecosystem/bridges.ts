// Bridges: for each configured broker, a client of it and the same discovery units that run on
// the hub's own broker — consuming the devices announced there, announcing Hearth's. A bridge that
// is down only makes its own devices offline; the LAN and the hub's broker carry on.
import { createHash } from 'node:crypto';
import type { CoreContext } from '../core/context.js';
import type { BridgeConfig } from '../infra/ecosystem-config.js';
import type { Unit } from '../infra/unit.js';
import { createBridgeClient } from './bridge-client.js';
import { createDiscoveryConsumer, type DiscoveryConsumer } from './discovery-consumer.js';
import { createDiscoveryPublisher } from './discovery-publisher.js';

/** The same client id at every start of this hub, per bridge. */
export function bridgeClientId(hubName: string, bridge: string): string {
  return `hearth-br-${createHash('sha256').update(`${hubName}\0${bridge}`).digest('hex').slice(0, 12)}`;
}

export function createBridge(
  ctx: CoreContext,
  config: BridgeConfig,
): Unit & { consumer?: DiscoveryConsumer } {
  const log = ctx.log.child({ module: 'bridge', bridge: config.name });
  const client = createBridgeClient(config, bridgeClientId(ctx.config.hubName, config.name), log);
  const source = `bridge-${config.name}`;
  const prefix = config.discoveryPrefix;
  const units: Unit[] = [];
  const consumer = config.consume
    ? createDiscoveryConsumer(ctx, { prefix, messaging: client, source, birth: false, connection: client })
    : undefined;
  if (consumer) units.push(consumer);
  if (config.publish)
    units.push(createDiscoveryPublisher(ctx, { prefix, messaging: client, source, bridge: client }));
  return {
    name: `bridge:${config.name}`,
    ...(consumer ? { consumer } : {}),
    async start() {
      for (const u of units) await u.start();
      client.start();
    },
    async stop() {
      await client.stop();
      for (const u of [...units].reverse()) await u.stop();
    },
    health: () => ({ ok: client.connected(), detail: { url: config.url, connected: client.connected() } }),
  };
}
