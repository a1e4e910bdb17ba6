// What one discovered entity becomes in Hearth: the capabilities it adds to its device, the topics
// it reads (each payload turned into capability values) and what it publishes for a command.
import type { CapabilityDeclaration, SettingValue } from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import type { DiscoveryConfig } from './discovery-config.js';
import { compileValueTemplate } from './value-template.js';

/** Values read from one message, or why none could be. */
export type Reading = { values: Record<string, SettingValue> } | { skip: true } | { unsupported: string };

export interface StateReader {
  topic: string;
  read(payload: string): Reading;
}

export interface OutgoingMessage {
  topic: string;
  payload: string;
}

export interface EntityBinding {
  capabilities: CapabilityDeclaration[];
  readers: StateReader[];
  /** The messages that carry out a command on one of this entity's capabilities. */
  write(capability: string, value: SettingValue | undefined): OutgoingMessage[];
  /** With no state topic the device never reports: Hearth reports what it commanded (HA's optimistic mode). */
  optimistic: boolean;
}

/** A template-or-plain extractor: `{{ value }}` when the config gives no template. */
export function extractor(template: string | undefined): (payload: string) => Reading | string {
  if (template === undefined) return (payload) => payload;
  const compiled = compileValueTemplate(template);
  return (payload) => {
    const r = compiled.render(payload);
    if (r.ok) return r.value;
    return r.reason === 'undefined' ? { skip: true } : { unsupported: `${template}: ${r.message}` };
  };
}

/** One topic, one capability: the payload (through the template) mapped to a value. */
export function reader(
  topic: string | undefined,
  template: string | undefined,
  capability: string,
  toValue: (text: string) => SettingValue | undefined,
): StateReader[] {
  if (topic === undefined) return [];
  const extract = extractor(template);
  return [
    {
      topic,
      read(payload) {
        const text = extract(payload);
        if (typeof text !== 'string') return text;
        const value = toValue(text);
        return value === undefined ? { skip: true } : { values: { [capability]: value } };
      },
    },
  ];
}

export const toNumber = (text: string): number | undefined => {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
};

/** `ON`/`OFF` (or the config's own payloads) as a boolean; anything else is not a state. */
export const toBoolean =
  (on: string, off: string) =>
  (text: string): boolean | undefined => {
    const t = text.trim().toLowerCase();
    if (t === on.toLowerCase()) return true;
    if (t === off.toLowerCase()) return false;
    return undefined;
  };

/** Renders a `command_template` with `value`; without one the value is sent as text. */
export function commandPayload(template: string | undefined, value: SettingValue): string {
  if (template === undefined) return String(value);
  const r = compileValueTemplate(template).renderWith({ value });
  if (!r.ok) throw new HearthError('unsupported', `the device's command_template is not supported here`);
  return r.value;
}

export function requireTopic(topic: string | undefined, what: string): string {
  if (topic === undefined) throw new HearthError('unsupported', `this device takes no ${what}`);
  return topic;
}

/** The entity's label: its own name, or the device class, or the catalog's. */
export function labelOf(config: DiscoveryConfig): { label?: string } {
  const name = config.name ?? config.device_class ?? undefined;
  return name ? { label: name.slice(0, 64) } : {};
}
