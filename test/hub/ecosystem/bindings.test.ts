// Discovery configs → bindings, without a broker: abbreviations and `~`, topics refused, value
// templates (the Home Assistant filters handled, the unsupported named), and what each component
// publishes for a command and reads from a state.
import { describe, expect, it } from 'vitest';
import { expandDiscoveryConfig } from '../../../hub/ecosystem/abbreviations.js';
import { bindEntity } from '../../../hub/ecosystem/bind-entity.js';
import { parseDiscoveryConfig, parseDiscoveryTopic } from '../../../hub/ecosystem/discovery-config.js';
import type { EntityBinding } from '../../../hub/ecosystem/entity-binding.js';
import { compileValueTemplate } from '../../../hub/ecosystem/value-template.js';

const bind = (component: string, raw: object): EntityBinding => {
  const parsed = parseDiscoveryConfig(Buffer.from(JSON.stringify(raw)));
  if (!parsed.ok) throw new Error(parsed.error);
  const b = bindEntity(component, parsed.config);
  if (typeof b === 'string') throw new Error(b);
  return b;
};
const read = (b: EntityBinding, topic: string, payload: string) =>
  b.readers.filter((r) => r.topic === topic).map((r) => r.read(payload));

describe('discovery configs', () => {
  it('expands abbreviations in the config, device and availability blocks, and ~ at either end', () => {
    expect(
      expandDiscoveryConfig({
        '~': 'tasmota_1/',
        stat_t: '~stat/RESULT',
        cmd_t: 'cmnd/~',
        pl_on: 'ON',
        dev: { ids: ['x'], mf: 'Tasmota', sw: '12' },
        avty: [{ t: '~LWT', pl_avail: 'Online' }],
      }),
    ).toEqual({
      state_topic: 'tasmota_1/stat/RESULT',
      command_topic: 'cmnd/tasmota_1/',
      payload_on: 'ON',
      device: { identifiers: ['x'], manufacturer: 'Tasmota', sw_version: '12' },
      availability: [{ topic: 'tasmota_1/LWT', payload_available: 'Online' }],
    });
  });

  it('parses discovery topics with and without a node id, and nothing else', () => {
    expect(parseDiscoveryTopic('homeassistant', 'homeassistant/switch/node_1/relay/config')).toEqual({
      component: 'switch',
      nodeId: 'node_1',
      objectId: 'relay',
    });
    expect(parseDiscoveryTopic('homeassistant', 'homeassistant/sensor/t1/config')?.nodeId).toBeNull();
    expect(parseDiscoveryTopic('homeassistant', 'homeassistant/sensor/t1/state')).toBeNull();
    expect(parseDiscoveryTopic('homeassistant', 'homeassistant/a/b/c/d/config')).toBeNull();
  });

  it('refuses wildcards, Hearth topics, non-JSON, and unsupported components with a reason', () => {
    for (const cmd of ['hearth/dev/tv-1/cmd', 'x/+/set', 'x/#'])
      expect(parseDiscoveryConfig(Buffer.from(JSON.stringify({ cmd_t: cmd }))).ok, cmd).toBe(false);
    expect(parseDiscoveryConfig(Buffer.from('nope'))).toEqual({ ok: false, error: 'not JSON' });
    const parsed = parseDiscoveryConfig(Buffer.from('{"cmd_t":"a/b"}'));
    expect(parsed.ok && bindEntity('vacuum', parsed.config)).toBe('component "vacuum" is not supported');
    expect(parsed.ok && bindEntity('light', { ...parsed.config, schema: 'template' })).toMatch(
      /not supported/,
    );
  });
});

describe('value templates', () => {
  it('renders the forms these projects publish', () => {
    const r = (t: string, p: string) => compileValueTemplate(t).render(p);
    expect(r('{{ value_json.POWER }}', '{"POWER":"ON"}')).toEqual({ ok: true, value: 'ON' });
    expect(r("{{value_json['ENERGY']['Power']}}", '{"ENERGY":{"Power":5}}')).toEqual({
      ok: true,
      value: '5',
    });
    expect(r('{{ value_json.t | float | round(1) }}', '{"t":21.46}')).toEqual({ ok: true, value: '21.5' });
    expect(r('{{ value_json.t | is_defined }}', '{"h":1}')).toEqual({ ok: false, reason: 'undefined' });
    expect(r("{{ 'on' if value_json.s == 1 else 'off' }}", '{"s":1}')).toEqual({ ok: true, value: 'on' });
    expect(r('{{ value | lower }}', 'ON')).toEqual({ ok: true, value: 'on' });
  });

  it('names what it cannot render instead of guessing', () => {
    const bad = compileValueTemplate('{{ value_json.x | as_timestamp }}').render('{"x":1}');
    expect(bad).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(compileValueTemplate('{% if %}').render('1')).toMatchObject({ ok: false, reason: 'unsupported' });
    // Templates run in the interpreter's own values: no way out to JavaScript objects.
    expect(compileValueTemplate('{{ value_json.constructor }}').render('{}')).toEqual({
      ok: false,
      reason: 'undefined',
    });
  });
});

describe('components', () => {
  it('default-schema light: ON/OFF, brightness on its scale, mireds, r,g,b', () => {
    const b = bind('light', {
      cmd_t: 'l/set',
      stat_t: 'l/state',
      bri_cmd_t: 'l/bri/set',
      bri_stat_t: 'l/bri',
      bri_scl: 100,
      clr_temp_cmd_t: 'l/ct/set',
      rgb_cmd_t: 'l/rgb/set',
      rgb_stat_t: 'l/rgb',
    });
    expect(b.capabilities.map((c) => c.name)).toEqual(['power', 'brightness', 'color_temp', 'rgb']);
    expect(b.write('power', true)).toEqual([{ topic: 'l/set', payload: 'ON' }]);
    expect(b.write('brightness', 40)).toEqual([{ topic: 'l/bri/set', payload: '40' }]);
    expect(b.write('rgb', '#ff8000')).toEqual([{ topic: 'l/rgb/set', payload: '255,128,0' }]);
    expect(read(b, 'l/rgb', '0,0,255')).toEqual([{ values: { rgb: '#0000ff' } }]);
    expect(read(b, 'l/state', 'maybe')).toEqual([{ skip: true }]);
  });

  it('switch, lock, button, number, select with their documented defaults', () => {
    expect(bind('switch', { cmd_t: 's/set' }).optimistic).toBe(true);
    const lock = bind('lock', { cmd_t: 'k/set', stat_t: 'k' });
    expect(lock.write('locked', false)).toEqual([{ topic: 'k/set', payload: 'UNLOCK' }]);
    expect(read(lock, 'k', 'LOCKED')).toEqual([{ values: { locked: true } }]);
    expect(bind('button', { cmd_t: 'b/press' }).write('press', undefined)).toEqual([
      { topic: 'b/press', payload: 'PRESS' },
    ]);
    const number = bind('number', {
      cmd_t: 'n/set',
      min: 16,
      max: 30,
      step: 0.5,
      cmd_tpl: '{"t":{{ value }}}',
    });
    expect(number.capabilities[0]).toMatchObject({ name: 'level', min: 16, max: 30, step: 0.5 });
    expect(number.write('level', 21.5)).toEqual([{ topic: 'n/set', payload: '{"t":21.5}' }]);
    const select = bind('select', { cmd_t: 'o/set', stat_t: 'o', ops: ['off', 'on', 'previous'] });
    expect(read(select, 'o', 'previous')).toEqual([{ values: { option: 'previous' } }]);
    expect(read(select, 'o', 'nonsense')).toEqual([{ skip: true }]);
  });

  it('binary sensors: a door that is "on" is open, so Hearth reports contact false', () => {
    const door = bind('binary_sensor', { stat_t: 'd', dev_cla: 'door', pl_on: true, pl_off: false });
    expect(read(door, 'd', 'true')).toEqual([{ values: { contact: false } }]);
    expect(bind('binary_sensor', { stat_t: 'm', dev_cla: 'motion' }).capabilities[0]?.name).toBe('motion');
  });

  it('climate, cover and fan', () => {
    const climate = bind('climate', {
      temp_cmd_t: 'c/t/set',
      temp_stat_t: 'c/t',
      mode_cmd_t: 'c/m/set',
      modes: ['off', 'heat', 'fan_only'],
      curr_temp_t: 'c/cur',
    });
    expect(climate.capabilities.map((c) => c.name)).toEqual(['target_temperature', 'mode', 'temperature']);
    expect(climate.capabilities[1]?.options).toEqual(['off', 'heat']);
    expect(climate.write('mode', 'heat')).toEqual([{ topic: 'c/m/set', payload: 'heat' }]);
    const cover = bind('cover', { cmd_t: 'v/set', stat_t: 'v', set_pos_t: 'v/pos/set', pos_t: 'v/pos' });
    expect(cover.write('cover', 'closed')).toEqual([{ topic: 'v/set', payload: 'CLOSE' }]);
    expect(cover.write('position', 30)).toEqual([{ topic: 'v/pos/set', payload: '30' }]);
    expect(read(cover, 'v', 'opening')).toEqual([{ values: { cover: 'opening' } }]);
    const fan = bind('fan', { cmd_t: 'f/set', pct_cmd_t: 'f/pct/set', spd_rng_min: 1, spd_rng_max: 3 });
    expect(fan.write('fan_speed', 50)).toEqual([{ topic: 'f/pct/set', payload: '2' }]);
  });
});
