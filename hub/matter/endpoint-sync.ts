// One bridged endpoint: built from a Hearth device, kept in step with its name, availability and
// reported state, and watching what a Matter controller changes. A controller's change becomes a
// Hearth command as the identity `matter`; a refused or failed one puts the attribute back to
// what the device reports.
import { Endpoint } from '@matter/main';
import type { CommandRecord, DeviceView } from '../../shared/views.js';
import type { CommandRequest, CommandService } from '../core/context.js';
import type { Logger } from '../infra/log.js';
import { endpointTypes } from './endpoint-types.js';
import { MATTER_SOURCE, type MatterIdentity } from './identity.js';
import { type BridgedKind, matterLabel } from './mapping.js';
import { bridgedState, type ControllerChange, watchChanges } from './state-map.js';

export interface BridgedEndpoint {
  readonly kind: BridgedKind;
  sync(device: DeviceView): Promise<void>;
  delete(): Promise<void>;
}

interface Deps {
  aggregator: Endpoint;
  device: DeviceView;
  kind: BridgedKind;
  log: Logger;
  identity: MatterIdentity;
  commands: CommandService;
  /** The device as the registry has it now. */
  reported: () => DeviceView | undefined;
}

/** How long a controller's command waits for the device's ack before Matter is answered. */
const WAIT_MS = 2000;

export async function createBridgedEndpoint(deps: Deps): Promise<BridgedEndpoint> {
  const { device, kind, log } = deps;
  const type = endpointTypes[kind];
  const basic = (d: DeviceView) => ({
    nodeLabel: matterLabel(d.name),
    reachable: d.online,
  });
  const options = {
    id: device.id,
    bridgedDeviceBasicInformation: {
      ...basic(device),
      productName: matterLabel(`Hearth ${device.model}`),
      serialNumber: device.id.slice(0, 32),
      uniqueId: device.id.slice(0, 32),
    },
    ...bridgedState(kind, device.reported, true),
  };
  // biome-ignore lint/suspicious/noExplicitAny: the state's shape depends on the kind's type.
  const endpoint = new Endpoint(type as any, options as any);
  try {
    await deps.aggregator.add(endpoint);
  } catch (err) {
    await endpoint.delete().catch(() => undefined);
    throw err;
  }

  const put = async (d: DeviceView) => {
    await endpoint.set({ bridgedDeviceBasicInformation: basic(d), ...bridgedState(kind, d.reported, false) });
  };

  const issue = async (change: ControllerChange): Promise<void> => {
    const now = deps.reported();
    if (!now) return;
    let record: CommandRecord | undefined;
    try {
      deps.identity.checkCommand(now.id, change.capability);
      const request: CommandRequest = {
        deviceId: now.id,
        capability: change.capability,
        value: change.value,
        params: change.params,
        source: MATTER_SOURCE,
      };
      record = await deps.commands.issue(request, { waitMs: WAIT_MS });
    } catch (err) {
      log.warn({ err, deviceId: now.id, capability: change.capability }, 'matter: command refused');
    }
    if (!record || record.status === 'failed' || record.status === 'expired' || change.pulse) {
      const latest = deps.reported();
      if (latest) await put(latest).catch(() => undefined);
    }
  };

  watchChanges(
    endpoint,
    kind,
    () => deps.reported()?.reported ?? {},
    (change) => {
      issue(change).catch((err: unknown) => log.warn({ err }, 'matter: command failed'));
    },
  );

  return {
    kind,
    sync: put,
    delete: () => endpoint.delete(),
  };
}
