// Which Matter device type stands for a Hearth device, and how values convert between Hearth's
// capability model and Matter's attributes. Pure: no matter.js here, so it is cheap to test.
import type { DeviceView } from '../../shared/views.js';

/**
 * - light: On/Off Light, Dimmable Light (brightness) or Color Temperature Light (color_temp).
 * - plug: On/Off Plug-in Unit (a plug, or any other device whose only control is power).
 * - tv: On/Off Plug-in Unit for power, with the Channel cluster for its channel (Matter has no TV
 *   type that Apple Home, Google Home and Alexa all show; Channel is the standard cluster for it).
 * - feeder: On/Off Plug-in Unit whose "on" feeds one portion and returns to off (Matter has no
 *   feeder device type).
 * - contact: Contact Sensor (Boolean State). thermostat: Thermostat (heating and cooling).
 */
export type BridgedKind =
  | 'on-off-light'
  | 'dimmable-light'
  | 'color-temperature-light'
  | 'plug'
  | 'tv'
  | 'feeder'
  | 'contact'
  | 'thermostat';

export function bridgedKind(device: Pick<DeviceView, 'model' | 'capabilities'>): BridgedKind | null {
  const has = (name: string) => device.capabilities.some((c) => c.name === name);
  if (has('feed')) return 'feeder';
  if (has('target_temperature')) return 'thermostat';
  if (has('contact')) return 'contact';
  if (has('power') && has('channel')) return 'tv';
  if (has('power') && has('color_temp')) return 'color-temperature-light';
  if (has('power') && has('brightness')) return 'dimmable-light';
  if (has('power')) return device.model === 'light' ? 'on-off-light' : 'plug';
  return null;
}

/** Hearth brightness (0–100 %) → Matter CurrentLevel (1–254). */
export const levelFromBrightness = (percent: number): number =>
  Math.max(1, Math.min(254, Math.round((percent * 254) / 100)));

/** Matter CurrentLevel (0–254) → Hearth brightness (0–100 %). */
export const brightnessFromLevel = (level: number): number =>
  Math.max(0, Math.min(100, Math.round((level * 100) / 254)));

/** Matter temperatures are hundredths of a degree Celsius. */
export const toCentiCelsius = (celsius: number): number => Math.round(celsius * 100);
export const fromCentiCelsius = (centi: number): number => Math.round(centi / 50) / 2;

/** Matter Thermostat SystemMode values for Hearth's modes ('auto' needs Matter's AutoMode feature). */
export const SYSTEM_MODE = { off: 0, cool: 3, heat: 4 } as const;
export type MappedMode = keyof typeof SYSTEM_MODE;

export function modeFromSystemMode(value: number): MappedMode | null {
  for (const [mode, v] of Object.entries(SYSTEM_MODE)) if (v === value) return mode as MappedMode;
  return null;
}

/** Matter's node labels are at most 32 bytes. */
export function matterLabel(name: string): string {
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > 32) break;
    out += ch;
  }
  return out || 'Hearth device';
}
