// Lights in both of Home Assistant's common schemas: `default` (one topic per attribute, ON/OFF,
// brightness on 0..brightness_scale, colour temperature in mireds, "r,g,b") and `json` (one JSON
// state and command topic, as Zigbee2MQTT and ESPHome publish). Hearth's brightness is 0–100 %.
import type { CapabilityDeclaration, SettingValue } from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import { hexToRgb, parseRgbText, rgbToHex, rgbToXy, xyToRgb } from './color.js';
import type { DiscoveryConfig } from './discovery-config.js';
import {
  type EntityBinding,
  extractor,
  labelOf,
  type Reading,
  reader,
  requireTopic,
  toBoolean,
  toNumber,
} from './entity-binding.js';

const toPercent = (raw: number, scale: number) => Math.round((raw / scale) * 100);
const fromPercent = (pct: number, scale: number) => Math.round((pct / 100) * scale);
const MIRED_MIN = 153;
const MIRED_MAX = 500;
const clampMired = (v: number) => Math.max(MIRED_MIN, Math.min(MIRED_MAX, v));

function colorTempDecl(c: DiscoveryConfig): CapabilityDeclaration {
  const min = clampMired(c.min_mireds ?? MIRED_MIN);
  const max = clampMired(c.max_mireds ?? MIRED_MAX);
  return { name: 'color_temp', twin: 'device', min: Math.min(min, max), max: Math.max(min, max) };
}

export function lightBinding(c: DiscoveryConfig): EntityBinding | string {
  const schema = c.schema ?? 'default';
  if (schema === 'json') return jsonLight(c);
  if (schema === 'default' || schema === 'basic') return defaultLight(c);
  return `light schema "${schema}" is not supported`;
}

function defaultLight(c: DiscoveryConfig): EntityBinding {
  const on = c.payload_on ?? 'ON';
  const off = c.payload_off ?? 'OFF';
  const scale = c.brightness_scale ?? 255;
  const caps: CapabilityDeclaration[] = [{ name: 'power', twin: 'device', ...labelOf(c) }];
  if (c.brightness_command_topic) caps.push({ name: 'brightness', twin: 'device' });
  if (c.color_temp_command_topic) caps.push(colorTempDecl(c));
  if (c.rgb_command_topic) caps.push({ name: 'rgb', twin: 'device' });
  return {
    capabilities: caps,
    readers: [
      ...reader(c.state_topic, c.state_value_template, 'power', toBoolean(on, off)),
      ...reader(c.brightness_state_topic, c.brightness_value_template, 'brightness', (t) => {
        const n = toNumber(t);
        return n === undefined ? undefined : toPercent(n, scale);
      }),
      ...reader(c.color_temp_state_topic, c.color_temp_value_template, 'color_temp', (t) => {
        const n = toNumber(t);
        return n === undefined ? undefined : clampMired(Math.round(n));
      }),
      ...reader(c.rgb_state_topic, c.rgb_value_template, 'rgb', (t) => {
        const rgb = parseRgbText(t);
        return rgb ? rgbToHex(rgb) : undefined;
      }),
    ],
    write(cap, value) {
      const send = (topic: string | undefined, payload: string) => [
        { topic: requireTopic(topic, `${cap} commands`), payload },
      ];
      switch (cap) {
        case 'power':
          return send(c.command_topic, value ? on : off);
        case 'brightness':
          return send(c.brightness_command_topic, String(fromPercent(Number(value), scale)));
        case 'color_temp':
          return send(c.color_temp_command_topic, String(value));
        case 'rgb':
          return send(c.rgb_command_topic, hexToRgb(String(value)).join(','));
        default:
          throw new HearthError('unsupported', `a light has no ${cap}`);
      }
    },
    optimistic: c.state_topic === undefined,
  };
}

function jsonLight(c: DiscoveryConfig): EntityBinding {
  const modes = c.supported_color_modes ?? [];
  const scale = c.brightness_scale ?? 255;
  const colorMode = ['rgb', 'xy', 'hs'].find((m) => modes.includes(m));
  const hasBrightness = c.brightness === true || modes.some((m) => m !== 'onoff');
  const hasColorTemp = c.color_temp === true || modes.includes('color_temp');
  const caps: CapabilityDeclaration[] = [{ name: 'power', twin: 'device', ...labelOf(c) }];
  if (hasBrightness) caps.push({ name: 'brightness', twin: 'device' });
  if (hasColorTemp) caps.push(colorTempDecl(c));
  if (colorMode === 'rgb' || colorMode === 'xy') caps.push({ name: 'rgb', twin: 'device' });
  const extract = extractor(undefined);
  const readers = c.state_topic
    ? [{ topic: c.state_topic, read: (p: string): Reading => readJsonLight(extract(p), scale) }]
    : [];
  return {
    capabilities: caps,
    readers,
    write(cap, value) {
      const body = jsonCommand(cap, value, scale, colorMode);
      return [{ topic: requireTopic(c.command_topic, 'commands'), payload: JSON.stringify(body) }];
    },
    optimistic: c.state_topic === undefined,
  };
}

function jsonCommand(cap: string, value: SettingValue | undefined, scale: number, colorMode?: string) {
  switch (cap) {
    case 'power':
      return { state: value ? 'ON' : 'OFF' };
    case 'brightness':
      return { state: 'ON', brightness: fromPercent(Number(value), scale) };
    case 'color_temp':
      return { state: 'ON', color_temp: Number(value) };
    case 'rgb': {
      const rgb = hexToRgb(String(value));
      const color = colorMode === 'xy' ? rgbToXy(rgb) : { r: rgb[0], g: rgb[1], b: rgb[2] };
      return { state: 'ON', color };
    }
    default:
      throw new HearthError('unsupported', `a light has no ${cap}`);
  }
}

function readJsonLight(text: Reading | string, scale: number): Reading {
  if (typeof text !== 'string') return text;
  let s: Record<string, unknown>;
  try {
    s = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { skip: true };
  }
  if (typeof s !== 'object' || s === null) return { skip: true };
  const values: Record<string, SettingValue> = {};
  if (s.state === 'ON' || s.state === 'OFF') values.power = s.state === 'ON';
  if (typeof s.brightness === 'number') values.brightness = toPercent(s.brightness, scale);
  if (typeof s.color_temp === 'number') values.color_temp = clampMired(Math.round(s.color_temp));
  const color = s.color as Record<string, unknown> | undefined;
  if (color && typeof color.r === 'number' && typeof color.g === 'number' && typeof color.b === 'number')
    values.rgb = rgbToHex([color.r, color.g, color.b]);
  else if (color && typeof color.x === 'number' && typeof color.y === 'number')
    values.rgb = rgbToHex(xyToRgb(color.x, color.y));
  return Object.keys(values).length > 0 ? { values } : { skip: true };
}
