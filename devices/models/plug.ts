// A smart plug with an energy meter that counts while the plug is on. Its button switches it too,
// so power is a `device`-wins twin: a press on the plug stands.
import { type DeviceModel, round } from './model.js';

/** Simulated load: 100 W. */
const LOAD_KW = 0.1;

export const plug: DeviceModel = {
  model: 'plug',
  firmware: '1.0.0',
  capabilities: [{ name: 'power', twin: 'device' }, { name: 'energy' }],
  initial: { power: false, energy: 0 },
  tick(ctx, elapsedMs) {
    if (ctx.values.power !== true) return;
    ctx.values.energy = round(Number(ctx.values.energy) + (LOAD_KW * elapsedMs) / 3_600_000, 6);
  },
};
