// A device announced through discovery, as Hearth holds it: one per Home Assistant `device`
// block, its entities by config topic, which entity owns which capability (the first to claim a
// name keeps it), the state merged from every entity, and availability from every topic named.
import { createHash } from 'node:crypto';
import type { CapabilityDeclaration, SettingValue } from '../../shared/capabilities.js';
import type { DiscoveryConfig } from './discovery-config.js';
import type { EntityBinding, StateReader } from './entity-binding.js';
import { compileValueTemplate, type ValueTemplate } from './value-template.js';

/** The model every foreign device is registered with (so the publisher never re-announces one). */
export const FOREIGN_MODEL = 'foreign';

export interface AvailabilityRule {
  topic: string;
  available: string;
  notAvailable: string;
  template: ValueTemplate | undefined;
}

export interface ForeignEntity {
  configTopic: string;
  component: string;
  binding: EntityBinding;
  /** The capabilities this entity owns on its device (some of the binding's may be taken). */
  owned: CapabilityDeclaration[];
  availability: AvailabilityRule[];
}

export interface ForeignDevice {
  id: string;
  name: string;
  firmware: string;
  entities: Map<string, ForeignEntity>;
  reported: Record<string, SettingValue>;
  /** Last availability heard per topic. */
  available: Map<string, boolean>;
  fault: string | null;
  seq: number;
}

/** The HA device a config belongs to: its first identifier or connection, else the entity alone. */
export function deviceKeyOf(config: DiscoveryConfig, configTopic: string): string {
  const ids = config.device?.identifiers;
  const first = Array.isArray(ids) ? ids[0] : ids;
  if (first) return `id:${first}`;
  const conn = config.device?.connections?.[0];
  if (conn) return `conn:${conn.join(':')}`;
  return `entity:${config.unique_id ?? configTopic}`;
}

/** A stable Hearth id for a foreign device: `ha-` + a readable slug + a short hash of its key. */
export function foreignDeviceId(key: string): string {
  const slug = key
    .replace(/^(id|conn|entity):/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 6);
  return `ha-${slug ? `${slug}-` : ''}${hash}`;
}

export function availabilityRules(config: DiscoveryConfig): AvailabilityRule[] {
  const entries = config.availability ?? [];
  const rules = entries.map((a) => ({
    topic: a.topic,
    available: a.payload_available ?? 'online',
    notAvailable: a.payload_not_available ?? 'offline',
    template: a.value_template ? compileValueTemplate(a.value_template) : undefined,
  }));
  if (config.availability_topic)
    rules.push({
      topic: config.availability_topic,
      available: config.payload_available ?? 'online',
      notAvailable: config.payload_not_available ?? 'offline',
      template: config.availability_template ? compileValueTemplate(config.availability_template) : undefined,
    });
  return rules;
}

/** What an availability message says: true, false, or nothing this rule understands. */
export function readAvailability(rule: AvailabilityRule, payload: string): boolean | undefined {
  let text = payload;
  if (rule.template) {
    const r = rule.template.render(payload);
    if (!r.ok) return undefined;
    text = r.value;
  }
  if (text === rule.available) return true;
  if (text === rule.notAvailable) return false;
  return undefined;
}

/** Online when every availability topic of its entities said so; with none named, always. */
export function isOnline(device: ForeignDevice): boolean {
  for (const entity of device.entities.values())
    for (const rule of entity.availability) if (device.available.get(rule.topic) !== true) return false;
  return true;
}

/** Claims the binding's capabilities that no other entity of the device owns yet. */
export function claimCapabilities(device: ForeignDevice, configTopic: string, binding: EntityBinding) {
  const taken = new Set<string>();
  for (const e of device.entities.values())
    if (e.configTopic !== configTopic) for (const c of e.owned) taken.add(c.name);
  return binding.capabilities.filter((c) => !taken.has(c.name));
}

export function declarations(device: ForeignDevice): CapabilityDeclaration[] {
  return [...device.entities.values()].flatMap((e) => e.owned);
}

/** Readers of one topic across the device's entities, for the capabilities each entity owns. */
export function readersOf(
  device: ForeignDevice,
  topic: string,
): Array<{ entity: ForeignEntity; reader: StateReader }> {
  const out: Array<{ entity: ForeignEntity; reader: StateReader }> = [];
  for (const entity of device.entities.values())
    for (const reader of entity.binding.readers) if (reader.topic === topic) out.push({ entity, reader });
  return out;
}

/** The entity that carries out commands for a capability. */
export function ownerOf(device: ForeignDevice, capability: string): ForeignEntity | undefined {
  for (const e of device.entities.values()) if (e.owned.some((c) => c.name === capability)) return e;
  return undefined;
}

/** Every topic the device's entities read (state and availability). */
export function topicsOf(device: ForeignDevice): Set<string> {
  const topics = new Set<string>();
  for (const e of device.entities.values()) {
    for (const r of e.binding.readers) topics.add(r.topic);
    for (const a of e.availability) topics.add(a.topic);
  }
  return topics;
}
