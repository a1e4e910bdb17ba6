// What Home Assistant publishes on a Hearth command topic, read as a Hearth command request:
// ON/OFF for switches and lights, a number for numbers and brightness, an option, PRESS for a
// button, "r,g,b" for a colour. Anything else is refused before it reaches the command path.
import type { CapabilityDescriptor, SettingValue } from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import { parseRgbText, rgbToHex } from './color.js';

export function requestFromHa(
  d: CapabilityDescriptor,
  payload: string,
): { value?: SettingValue; params?: Record<string, number> } {
  const text = payload.trim();
  if (d.kind === 'action') return { params: {} };
  switch (d.type) {
    case 'boolean': {
      const t = text.toUpperCase();
      if (t === 'ON' || t === 'TRUE' || t === 'LOCK') return { value: true };
      if (t === 'OFF' || t === 'FALSE' || t === 'UNLOCK') return { value: false };
      throw new HearthError('invalid_payload', `${d.name} takes ON or OFF`);
    }
    case 'integer':
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n))
        throw new HearthError('invalid_payload', `${d.name} takes a number`);
      return { value: d.type === 'integer' ? Math.round(n) : n };
    }
    case 'color': {
      const rgb = parseRgbText(text);
      if (!rgb) throw new HearthError('invalid_payload', `${d.name} takes r,g,b`);
      return { value: rgbToHex(rgb) };
    }
    default:
      return { value: text };
  }
}
