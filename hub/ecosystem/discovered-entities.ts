// The config side of discovery: each retained `<prefix>/…/config` is bound to an entity of a
// foreign device (created on its first entity, removed with its last), or refused with a reason.
import type { SettingValue } from '../../shared/capabilities.js';
import type { DeviceRegistry } from '../core/context.js';
import type { Logger } from '../infra/log.js';
import type { Counter } from '../infra/metrics.js';
import { bindEntity } from './bind-entity.js';
import { parseDiscoveryConfig, parseDiscoveryTopic } from './discovery-config.js';
import {
  availabilityRules,
  claimCapabilities,
  deviceKeyOf,
  FOREIGN_MODEL,
  type ForeignDevice,
  foreignDeviceId,
  topicsOf,
} from './foreign-device.js';
import type { ForeignPublication } from './foreign-publication.js';
import type { TopicSubscriptions } from './topic-subscriptions.js';

export interface EntityStatus {
  configTopic: string;
  component: string;
  deviceId: string | null;
  ok: boolean;
  reason?: string;
}

export interface DiscoveredEntities {
  onConfig(configTopic: string, payload: Buffer): Promise<void>;
  list(): EntityStatus[];
  /** The device was removed from Hearth: its configs no longer point at it. */
  dropDevice(d: ForeignDevice): void;
  clear(): void;
}

export function createDiscoveredEntities(deps: {
  prefix: string;
  devices: Map<string, ForeignDevice>;
  registry: DeviceRegistry;
  publication: ForeignPublication;
  subs: TopicSubscriptions;
  refused: Counter;
  log: Logger;
}): DiscoveredEntities {
  const { prefix, devices, registry, publication, subs, refused, log } = deps;
  const byConfig = new Map<string, string>(); // config topic → device id
  const rejected = new Map<string, EntityStatus>();

  const reject = (configTopic: string, component: string, reason: string) => {
    refused.inc();
    log.warn({ configTopic, reason }, 'discovery config not used');
    rejected.set(configTopic, { configTopic, component, deviceId: null, ok: false, reason });
  };

  async function removeEntity(configTopic: string): Promise<void> {
    rejected.delete(configTopic);
    const id = byConfig.get(configTopic);
    if (!id) return;
    byConfig.delete(configTopic);
    const d = devices.get(id);
    if (!d) return;
    d.entities.delete(configTopic);
    if (d.entities.size > 0) {
      await subs.set(id, topicsOf(d));
      await publication.info(d);
      return;
    }
    devices.delete(id);
    await subs.set(id, []);
    publication.forget(id);
    if (registry.get(id)) await registry.remove(id);
    log.info({ deviceId: id }, 'foreign device removed (empty discovery config)');
  }

  async function onConfig(configTopic: string, payload: Buffer): Promise<void> {
    const where = parseDiscoveryTopic(prefix, configTopic);
    if (!where) return;
    // Hearth's own devices, announced for Home Assistant under node id hearth_<id>: not foreign.
    if (where.nodeId?.startsWith('hearth_')) return;
    if (payload.length === 0) return removeEntity(configTopic);
    const parsed = parseDiscoveryConfig(payload);
    if (!parsed.ok) return reject(configTopic, where.component, parsed.error);
    const config = parsed.config;
    if (config.origin?.name === 'Hearth') return; // our own devices, published for Home Assistant
    const binding = bindEntity(where.component, config);
    if (typeof binding === 'string') return reject(configTopic, where.component, binding);
    const id = foreignDeviceId(deviceKeyOf(config, configTopic));
    const previous = byConfig.get(configTopic);
    if (previous && previous !== id) await removeEntity(configTopic);
    let d = devices.get(id);
    if (!d) {
      d = {
        id,
        name: (config.device?.name ?? config.name ?? where.objectId).slice(0, 64),
        firmware: (config.device?.sw_version ?? 'unknown').slice(0, 32),
        entities: new Map(),
        reported: { ...(registry.get(id)?.reported as Record<string, SettingValue> | undefined) },
        available: new Map(),
        fault: null,
        seq: -1,
      };
      devices.set(id, d);
    }
    const owned = claimCapabilities(d, configTopic, binding);
    if (owned.length === 0)
      return reject(
        configTopic,
        where.component,
        'its capabilities are taken by other entities of the device',
      );
    d.entities.set(configTopic, {
      configTopic,
      component: where.component,
      binding,
      owned,
      availability: availabilityRules(config),
    });
    byConfig.set(configTopic, id);
    rejected.delete(configTopic);
    if (!registry.get(id)) {
      registry.create({ id, name: d.name, model: FOREIGN_MODEL });
      log.info({ deviceId: id, name: d.name }, 'foreign device discovered');
    }
    await publication.info(d);
    await subs.set(id, topicsOf(d));
    await publication.status(d);
  }

  return {
    onConfig,
    list: () => [
      ...[...byConfig].map(([configTopic, deviceId]) => ({
        configTopic,
        component: devices.get(deviceId)?.entities.get(configTopic)?.component ?? '',
        deviceId,
        ok: true,
      })),
      ...rejected.values(),
    ],
    dropDevice(d) {
      for (const topic of d.entities.keys()) byConfig.delete(topic);
    },
    clear: () => byConfig.clear(),
  };
}
