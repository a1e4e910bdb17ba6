// A cat feeder: `feed` dispenses portions from a hopper that empties (5 % a portion); a jam can be
// injected, after which every feed fails with `device_fault` until the jam is cleared. Keeps
// schedules of its own so the cat is fed while the hub is away.
import { HearthError } from '../../shared/errors.js';
import type { DeviceModel } from './model.js';

export const PERCENT_PER_PORTION = 5;

export const feeder: DeviceModel = {
  model: 'feeder',
  firmware: '1.0.0',
  capabilities: [{ name: 'feed' }, { name: 'hopper' }, { name: 'schedules' }],
  initial: { hopper: 100 },
  faults: ['jam'],
  actions: {
    feed(ctx, params, commandId) {
      const portions = params.portions ?? 1;
      if (ctx.faults.has('jam')) throw new HearthError('device_fault', 'the feeder is jammed');
      const hopper = Number(ctx.values.hopper);
      if (hopper < portions * PERCENT_PER_PORTION)
        throw new HearthError(
          'device_fault',
          `the hopper has ${hopper} % left, not enough for ${portions} portion(s)`,
        );
      ctx.values.hopper = hopper - portions * PERCENT_PER_PORTION;
      ctx.emit({ type: 'fed', portions, commandId });
    },
  },
  sense(ctx, readings) {
    // Someone refilled the hopper.
    if (typeof readings.hopper === 'number')
      ctx.values.hopper = Math.max(0, Math.min(100, Math.round(readings.hopper)));
  },
};
