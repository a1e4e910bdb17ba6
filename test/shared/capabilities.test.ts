import { describe, expect, it } from 'vitest';
import {
  CAPABILITY_NAMES,
  CapabilityDeclarationSchema,
  capabilityDescriptor,
  describeCapability,
  validateRequest,
} from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';

const tv = [
  describeCapability({ name: 'power' }),
  describeCapability({ name: 'channel', min: 1, max: 99 }),
  describeCapability({ name: 'input', options: ['tv', 'hdmi1'] }),
];
const feeder = [describeCapability({ name: 'feed' }), describeCapability({ name: 'hopper' })];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HearthError ? err.code : 'not-a-hearth-error';
  }
  return undefined;
}

describe('capability model', () => {
  it('every capability has a kind, a value type, a label and a Home Assistant mapping (or none for features)', () => {
    for (const name of CAPABILITY_NAMES) {
      const d = capabilityDescriptor(name);
      expect(['setting', 'action', 'sensor', 'feature']).toContain(d.kind);
      expect(d.label.length).toBeGreaterThan(0);
      if (d.kind === 'feature') expect(d.ha).toBeNull();
      else
        expect(d.ha).toMatch(
          /^(switch|number|select|button|light|climate|sensor|binary_sensor|cover|lock|fan)$/,
        );
      if (d.type === 'integer' || d.type === 'number') expect(d.min).toBeLessThan(d.max as number);
      // An open enum (a foreign select) takes its options from the device's declaration.
      if (d.type === 'enum' && !d.open) expect(d.options?.length).toBeGreaterThan(0);
    }
    expect(capabilityDescriptor('feed').kind).toBe('action');
    expect(capabilityDescriptor('power').kind).toBe('setting');
  });

  it('normalises valid requests, filling action defaults', () => {
    expect(validateRequest(tv, { capability: 'channel', value: 42 })).toEqual({
      capability: 'channel',
      value: 42,
    });
    expect(validateRequest(feeder, { capability: 'feed' })).toEqual({
      capability: 'feed',
      params: { portions: 1 },
    });
    expect(validateRequest(feeder, { capability: 'feed', params: { portions: 3 } })).toEqual({
      capability: 'feed',
      params: { portions: 3 },
    });
  });

  it('refuses with the code a caller sees', () => {
    expect(codeOf(() => validateRequest(tv, { capability: 'warp', value: 1 }))).toBe('unknown_capability');
    expect(codeOf(() => validateRequest(tv, { capability: 'volume', value: 1 }))).toBe('unsupported');
    expect(codeOf(() => validateRequest(feeder, { capability: 'hopper', value: 50 }))).toBe('unsupported');
    expect(codeOf(() => validateRequest(tv, { capability: 'channel', value: 100 }))).toBe('out_of_range');
    expect(codeOf(() => validateRequest(tv, { capability: 'channel', value: 2.5 }))).toBe('invalid_payload');
    expect(codeOf(() => validateRequest(tv, { capability: 'power', value: 'on' }))).toBe('invalid_payload');
    expect(codeOf(() => validateRequest(tv, { capability: 'power' }))).toBe('invalid_payload');
    expect(codeOf(() => validateRequest(tv, { capability: 'input', value: 'hdmi2' }))).toBe('out_of_range');
    expect(codeOf(() => validateRequest(feeder, { capability: 'feed', params: { portions: 11 } }))).toBe(
      'out_of_range',
    );
    expect(codeOf(() => validateRequest(feeder, { capability: 'feed', params: { grams: 5 } }))).toBe(
      'invalid_payload',
    );
    expect(codeOf(() => validateRequest(feeder, { capability: 'feed', value: true }))).toBe(
      'invalid_payload',
    );
  });
});

describe('capabilities from other ecosystems', () => {
  it('open capabilities take the bounds and options a device declares; others may only narrow', () => {
    const level = CapabilityDeclarationSchema.parse({
      name: 'level',
      min: 16,
      max: 30,
      step: 0.5,
      unit: '°C',
    });
    expect(describeCapability(level)).toMatchObject({
      kind: 'setting',
      min: 16,
      max: 30,
      step: 0.5,
      unit: '°C',
    });
    const option = describeCapability(
      CapabilityDeclarationSchema.parse({
        name: 'option',
        options: ['previous', 'off', 'on'],
        label: 'Power on',
      }),
    );
    expect(option).toMatchObject({ type: 'enum', options: ['previous', 'off', 'on'], label: 'Power on' });
    expect(CapabilityDeclarationSchema.safeParse({ name: 'input', options: ['usb'] }).success).toBe(false);
  });

  it('a colour is #rrggbb', () => {
    const light = [describeCapability({ name: 'rgb' })];
    expect(validateRequest(light, { capability: 'rgb', value: '#ff8800' })).toEqual({
      capability: 'rgb',
      value: '#ff8800',
    });
    expect(() => validateRequest(light, { capability: 'rgb', value: 'red' })).toThrow(/colour like/);
  });
});
