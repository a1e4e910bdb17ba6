// The Matter bridge: one matter.js server node with an Aggregator, and one bridged endpoint per
// Hearth device the identity `matter` may see. Endpoints follow the registry (added, renamed,
// removed, online → reachable) and reported state; what a controller changes goes to Hearth's
// command path (endpoint-sync.ts). Loaded only when matter is enabled (runtime.ts).
import { Logger, ServerNode, VendorId } from '@matter/main';
import { AggregatorEndpoint } from '@matter/main/endpoints/aggregator';
import type { DeviceView } from '../../shared/views.js';
import type { CoreContext } from '../core/context.js';
import type { Config } from '../infra/config.js';
import { type BridgedEndpoint, createBridgedEndpoint } from './endpoint-sync.js';
import type { MatterIdentity } from './identity.js';
import { bridgedKind, matterLabel } from './mapping.js';

export interface PairingInfo {
  manualPairingCode: string;
  qrPayload: string;
  commissioned: boolean;
  fabrics: number;
  bridged: number;
}

export interface MatterBridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  pairing(): PairingInfo;
  /** Leaves every fabric (Apple Home, Google Home…) and opens commissioning again. */
  decommission(): Promise<void>;
  readonly port: number;
}

const OWNER = 'matter';

export async function createMatterBridge(
  ctx: CoreContext,
  identity: MatterIdentity,
  /** Called when a controller joins or leaves (the pairing file follows). */
  onFabricsChanged: () => void,
): Promise<MatterBridge> {
  const { config, bus, registry } = ctx;
  const log = ctx.log.child({ module: 'matter' });
  Logger.level = config.logLevel === 'debug' || config.logLevel === 'trace' ? 'info' : 'error';
  const server = await ServerNode.create(serverOptions(config));
  const aggregator = await server.add(AggregatorEndpoint, { id: 'devices' });
  const bridged = new Map<string, BridgedEndpoint>();
  // One change at a time: an add racing a remove for the same device must not interleave.
  let queue: Promise<void> = Promise.resolve();
  const serial = (what: string, fn: () => Promise<void>) => {
    queue = queue
      .then(fn)
      .catch((err: unknown) => log.warn({ error: describeError(err) }, `matter: ${what} failed`));
    return queue;
  };

  const add = async (device: DeviceView) => {
    const kind = bridgedKind(device);
    if (!kind || !identity.sees(device.id)) return;
    const endpoint = await createBridgedEndpoint({
      aggregator,
      device,
      kind,
      log,
      identity,
      commands: ctx.commands,
      reported: () => registry.get(device.id),
    });
    bridged.set(device.id, endpoint);
  };

  const remove = async (deviceId: string) => {
    const endpoint = bridged.get(deviceId);
    bridged.delete(deviceId);
    await endpoint?.delete();
  };

  /** Re-reads the device: its kind may have changed with a new `info` (re-created then). */
  const refresh = async (deviceId: string) => {
    const device = registry.get(deviceId);
    const current = bridged.get(deviceId);
    if (!device) return remove(deviceId);
    if (current && current.kind !== bridgedKind(device)) await remove(deviceId);
    const endpoint = bridged.get(deviceId);
    if (!endpoint) return add(device);
    await endpoint.sync(device);
  };

  const subscribe = () => {
    bus.on('device.added', OWNER, ({ deviceId }) => serial('add', () => refresh(deviceId)));
    bus.on('device.removed', OWNER, ({ deviceId }) => serial('remove', () => remove(deviceId)));
    bus.on('device.updated', OWNER, ({ deviceId }) => serial('rename', () => refresh(deviceId)));
    bus.on('device.info', OWNER, ({ deviceId }) => serial('info', () => refresh(deviceId)));
    bus.on('device.state', OWNER, ({ deviceId }) => serial('state', () => refresh(deviceId)));
    bus.on('device.availability', OWNER, ({ deviceId }) => serial('reachable', () => refresh(deviceId)));
  };

  return {
    get port() {
      return server.state.network.operationalPort;
    },
    async start() {
      // One device that cannot be bridged is logged and left out; the others are bridged.
      for (const device of registry.list()) await serial('add', () => add(device));
      subscribe();
      server.events.commissioning.fabricsChanged.on(() => onFabricsChanged());
      await server.start();
      log.info(
        { port: server.state.network.operationalPort, bridged: bridged.size },
        'matter bridge started',
      );
    },
    async stop() {
      bus.removeOwner(OWNER);
      await queue;
      await server.close();
    },
    pairing() {
      const { manualPairingCode, qrPairingCode } = server.state.commissioning.pairingCodes;
      return {
        manualPairingCode,
        qrPayload: qrPairingCode,
        commissioned: server.state.commissioning.commissioned,
        fabrics: Object.keys(server.state.commissioning.fabrics).length,
        bridged: bridged.size,
      };
    },
    async decommission() {
      // matter.js's factory reset: fabrics and keys go, the node comes back online commissionable.
      await server.erase();
      for (const device of registry.list()) await serial('resync', () => refresh(device.id));
    },
  };
}

function serverOptions(config: Config) {
  const { matter } = config;
  return {
    id: 'hearth',
    network: { port: matter.port },
    commissioning: {
      ...(matter.passcode !== undefined ? { passcode: matter.passcode } : {}),
      ...(matter.discriminator !== undefined ? { discriminator: matter.discriminator } : {}),
    },
    productDescription: { name: matterLabel(config.hubName), deviceType: AggregatorEndpoint.deviceType },
    basicInformation: {
      vendorName: 'Hearth',
      // The test vendor and product ids: Hearth is not certified, so controllers warn once.
      vendorId: VendorId(0xfff1),
      productId: 0x8000,
      productName: 'Hearth bridge',
      productLabel: 'Hearth bridge',
      nodeLabel: matterLabel(config.hubName),
      serialNumber: `hearth-${matterLabel(config.hubName).slice(0, 20)}`,
    },
  };
}

/** matter.js aggregates a behavior's failures: name each, with its cause. */
function describeError(err: unknown): string {
  const e = err as Error & { errors?: unknown[]; cause?: unknown };
  const inner = (e.errors ?? []).map(describeError);
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return [`${e.message}${cause}`, ...inner].join('; ');
}
