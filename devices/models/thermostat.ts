// A thermostat: the measured temperature drifts toward the target while heating or cooling, and
// toward the room's ambient temperature when off. Keeps schedules of its own, and those (and its
// dial) change the target on the device: its settings are `device`-wins twins.
import { type DeviceModel, round } from './model.js';

const AMBIENT = 18;
/** Degrees per minute the room moves. */
const RATE_PER_MIN = 0.5;

export const thermostat: DeviceModel = {
  model: 'thermostat',
  firmware: '1.0.0',
  capabilities: [
    { name: 'target_temperature', twin: 'device' },
    { name: 'temperature' },
    { name: 'mode', twin: 'device' },
    { name: 'schedules' },
  ],
  initial: { target_temperature: 20, temperature: AMBIENT, mode: 'heat' },
  tick(ctx, elapsedMs) {
    const { mode } = ctx.values;
    const current = Number(ctx.values.temperature);
    const target = Number(ctx.values.target_temperature);
    const goal =
      mode === 'off' || (mode === 'heat' && target < current) || (mode === 'cool' && target > current)
        ? AMBIENT
        : target;
    const step = (RATE_PER_MIN * elapsedMs) / 60_000;
    const next = Math.abs(goal - current) <= step ? goal : current + Math.sign(goal - current) * step;
    ctx.values.temperature = round(next, 2);
  },
};
