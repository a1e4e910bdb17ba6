// Climate (target temperature, mode, current temperature), cover (open/close/stop and position)
// and fan (on/off and speed percentage) entities, with Home Assistant's documented defaults.
import type { CapabilityDeclaration } from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import type { DiscoveryConfig } from './discovery-config.js';
import {
  commandPayload,
  type EntityBinding,
  labelOf,
  reader,
  requireTopic,
  toBoolean,
  toNumber,
} from './entity-binding.js';

const HEARTH_MODES = ['off', 'heat', 'cool', 'auto'];

export function climateBinding(c: DiscoveryConfig): EntityBinding {
  const modes = (c.modes ?? []).filter((m) => HEARTH_MODES.includes(m));
  const caps: CapabilityDeclaration[] = [];
  if (c.temperature_command_topic) {
    const min = Math.max(5, c.min_temp ?? 7);
    const max = Math.min(35, c.max_temp ?? 35);
    caps.push({ name: 'target_temperature', twin: 'device', min, max, ...labelOf(c) });
  }
  if (c.mode_command_topic && modes.length > 0) caps.push({ name: 'mode', twin: 'device', options: modes });
  if (c.current_temperature_topic) caps.push({ name: 'temperature' });
  return {
    capabilities: caps,
    readers: [
      ...reader(c.temperature_state_topic, c.temperature_state_template, 'target_temperature', toNumber),
      ...reader(c.mode_state_topic, c.mode_state_template, 'mode', (t) =>
        modes.includes(t) ? t : undefined,
      ),
      ...reader(c.current_temperature_topic, c.current_temperature_template, 'temperature', toNumber),
    ],
    write(cap, value) {
      if (cap === 'target_temperature')
        return [{ topic: requireTopic(c.temperature_command_topic, cap), payload: String(value) }];
      if (cap === 'mode') return [{ topic: requireTopic(c.mode_command_topic, cap), payload: String(value) }];
      throw new HearthError('unsupported', `a climate device has no ${cap}`);
    },
    optimistic: c.temperature_state_topic === undefined && c.mode_state_topic === undefined,
  };
}

export function coverBinding(c: DiscoveryConfig): EntityBinding {
  const states: Record<string, string> = {
    [c.state_open ?? 'open']: 'open',
    [c.state_closed ?? 'closed']: 'closed',
    [c.state_opening ?? 'opening']: 'opening',
    [c.state_closing ?? 'closing']: 'closing',
    [c.state_stopped ?? 'stopped']: 'stopped',
  };
  const open = c.position_open ?? 100;
  const closed = c.position_closed ?? 0;
  const toPct = (raw: number) => Math.round(((raw - closed) / (open - closed || 1)) * 100);
  const caps: CapabilityDeclaration[] = [];
  if (c.command_topic) caps.push({ name: 'cover', twin: 'device', ...labelOf(c) });
  if (c.set_position_topic || c.position_topic) caps.push({ name: 'position', twin: 'device' });
  return {
    capabilities: caps,
    readers: [
      ...reader(c.state_topic, c.value_template, 'cover', (t) => states[t]),
      ...reader(c.position_topic, c.position_template, 'position', (t) => {
        const n = toNumber(t);
        return n === undefined ? undefined : Math.max(0, Math.min(100, toPct(n)));
      }),
    ],
    write(cap, value) {
      if (cap === 'position') {
        const raw = Math.round(closed + (Number(value) / 100) * (open - closed));
        return [{ topic: requireTopic(c.set_position_topic, 'positions'), payload: String(raw) }];
      }
      const payloads: Record<string, string> = {
        open: c.payload_open ?? 'OPEN',
        closed: c.payload_close ?? 'CLOSE',
        stopped: c.payload_stop ?? 'STOP',
      };
      const payload = payloads[String(value)];
      if (!payload) throw new HearthError('out_of_range', 'a cover can be sent open, closed or stopped');
      return [{ topic: requireTopic(c.command_topic, 'commands'), payload }];
    },
    optimistic: c.state_topic === undefined && c.position_topic === undefined,
  };
}

export function fanBinding(c: DiscoveryConfig): EntityBinding {
  const on = c.payload_on ?? 'ON';
  const off = c.payload_off ?? 'OFF';
  const lo = c.speed_range_min ?? 1;
  const hi = c.speed_range_max ?? 100;
  const caps: CapabilityDeclaration[] = [{ name: 'power', twin: 'device', ...labelOf(c) }];
  if (c.percentage_command_topic) caps.push({ name: 'fan_speed', twin: 'device' });
  return {
    capabilities: caps,
    readers: [
      ...reader(c.state_topic, c.state_value_template, 'power', toBoolean(on, off)),
      ...reader(c.percentage_state_topic, c.percentage_value_template, 'fan_speed', (t) => {
        const n = toNumber(t);
        return n === undefined ? undefined : Math.round(((n - lo + 1) / (hi - lo + 1)) * 100);
      }),
    ],
    write(cap, value) {
      if (cap === 'power')
        return [{ topic: requireTopic(c.command_topic, 'commands'), payload: value ? on : off }];
      if (cap === 'fan_speed') {
        const pct = Number(value);
        const raw = pct === 0 ? 0 : Math.ceil((pct / 100) * (hi - lo + 1)) + lo - 1;
        return [
          {
            topic: requireTopic(c.percentage_command_topic, 'speeds'),
            payload: commandPayload(undefined, raw),
          },
        ];
      }
      throw new HearthError('unsupported', `a fan has no ${cap}`);
    },
    optimistic: c.state_topic === undefined,
  };
}
