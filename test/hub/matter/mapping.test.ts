import { describe, expect, it } from 'vitest';
import { MatterConfigSchema } from '../../../hub/infra/matter-config.js';
import { createMatterIdentity } from '../../../hub/matter/identity.js';
import {
  bridgedKind,
  brightnessFromLevel,
  fromCentiCelsius,
  levelFromBrightness,
  matterLabel,
  modeFromSystemMode,
} from '../../../hub/matter/mapping.js';
import { bridgedState } from '../../../hub/matter/state-map.js';
import { capabilityDescriptor } from '../../../shared/capabilities.js';

const device = (model: string, caps: string[]) => ({
  model,
  capabilities: caps.map((c) => capabilityDescriptor(c as Parameters<typeof capabilityDescriptor>[0])),
});

describe('Matter mapping', () => {
  it('picks one Matter device type per Hearth model', () => {
    expect(bridgedKind(device('light', ['power', 'brightness', 'color_temp']))).toBe(
      'color-temperature-light',
    );
    expect(bridgedKind(device('light', ['power', 'brightness']))).toBe('dimmable-light');
    expect(bridgedKind(device('light', ['power']))).toBe('on-off-light');
    expect(bridgedKind(device('plug', ['power', 'energy']))).toBe('plug');
    expect(bridgedKind(device('tv', ['power', 'channel', 'volume', 'mute', 'input']))).toBe('tv');
    expect(bridgedKind(device('feeder', ['feed', 'hopper', 'schedules']))).toBe('feeder');
    expect(bridgedKind(device('contact-sensor', ['contact', 'battery']))).toBe('contact');
    expect(bridgedKind(device('thermostat', ['target_temperature', 'temperature', 'mode']))).toBe(
      'thermostat',
    );
    expect(bridgedKind(device('odd', ['battery']))).toBeNull();
  });

  it('converts levels, temperatures and modes both ways', () => {
    expect(levelFromBrightness(100)).toBe(254);
    expect(levelFromBrightness(0)).toBe(1);
    expect(brightnessFromLevel(127)).toBe(50);
    for (const b of [1, 25, 50, 99, 100]) expect(brightnessFromLevel(levelFromBrightness(b))).toBe(b);
    expect(fromCentiCelsius(2150)).toBe(21.5);
    expect(fromCentiCelsius(2160)).toBe(21.5);
    expect(modeFromSystemMode(4)).toBe('heat');
    expect(modeFromSystemMode(1)).toBeNull();
    expect(Buffer.byteLength(matterLabel('Wohnzimmer-Stehlampe über dem Sofa'))).toBeLessThanOrEqual(32);
  });

  it('a feeder always shows off; a light its power and level', () => {
    expect(bridgedState('feeder', { hopper: 90 }, false)).toEqual({ onOff: { onOff: false } });
    expect(bridgedState('dimmable-light', { power: true, brightness: 50 }, false)).toEqual({
      onOff: { onOff: true },
      levelControl: { currentLevel: 127 },
    });
    expect(bridgedState('contact', { contact: false }, false)).toEqual({
      booleanState: { stateValue: false },
    });
  });
});

describe('the identity matter', () => {
  it('by default sees every device and commands what the bridge maps', () => {
    const id = createMatterIdentity(MatterConfigSchema.parse({}));
    expect(id.sees('tv-1')).toBe(true);
    expect(() => id.checkCommand('tv-1', 'power')).not.toThrow();
    expect(() => id.checkCommand('feeder-1', 'feed')).not.toThrow();
    expect(() => id.checkCommand('tv-1', 'volume')).toThrow(/devices\.command on tv-1 \(capability volume\)/);
  });

  it('sees only the devices named, and commands only the capabilities named', () => {
    const id = createMatterIdentity(
      MatterConfigSchema.parse({ devices: ['lamp-1'], capabilities: ['power'] }),
    );
    expect(id.sees('lamp-1')).toBe(true);
    expect(id.sees('feeder-1')).toBe(false);
    expect(() => id.checkCommand('feeder-1', 'feed')).toThrow(/forbidden|right/);
    expect(() => id.checkCommand('lamp-1', 'brightness')).toThrow(/brightness/);
    const none = createMatterIdentity(MatterConfigSchema.parse({ capabilities: [] }));
    expect(none.sees('lamp-1')).toBe(true);
    expect(() => none.checkCommand('lamp-1', 'power')).toThrow();
  });

  it('refuses a bad matter config with a clear message', () => {
    const bad = MatterConfigSchema.safeParse({ enabled: 'yes', port: 70000, devices: ['Bad Id'] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['enabled', 'port', 'devices.0']),
    );
  });
});
