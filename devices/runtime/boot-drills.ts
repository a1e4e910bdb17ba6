// What acts on a running boot from outside the wire: a device fault switched on or off (kept in
// flash, raised as an event, shown in state), sensor readings from a drill, and the model's physics
// on each tick. Hooks run on a draft of the values (model-hook.ts); what changed is published.
import { HearthError } from '../../shared/errors.js';
import type { ModelContext, Values } from '../models/model.js';
import type { BootReporter } from './boot-reporter.js';
import { type BootSession, failed } from './boot-session.js';
import { runModelHook } from './model-hook.js';

export interface BootDrills {
  setFault(name: string, on: boolean): Promise<void>;
  sense(readings: Values): Promise<void>;
  tick(elapsedMs: number): void;
}

export function createBootDrills(s: BootSession, reporter: BootReporter): BootDrills {
  const { model, clock, switches } = s.d;

  const applyPhysics = async (fn: (ctx: ModelContext) => void) => {
    const { changed, events } = runModelHook(s.state, clock, fn);
    for (const e of events) reporter.emit(e);
    if (changed) await reporter.publishState();
  };

  return {
    async setFault(name, on) {
      if (!model.faults?.includes(name))
        throw new HearthError('unsupported', `a ${model.model} has no fault "${name}"`);
      if (on === s.state.faults.includes(name)) return;
      s.state.faults = on ? [...s.state.faults, name] : s.state.faults.filter((f) => f !== name);
      await s.flash.save();
      reporter.emit({ type: 'fault', fault: name, message: on ? `${name} fault` : `${name} cleared` });
      await reporter.publishState();
    },
    async sense(readings) {
      const { sense } = model;
      if (!sense) throw new HearthError('unsupported', `a ${model.model} has no sensors to drive`);
      await applyPhysics((ctx) => sense(ctx, readings));
    },
    tick(elapsedMs) {
      const { tick } = model;
      if (!tick || switches.frozen || s.dead) return;
      applyPhysics((ctx) => tick(ctx, elapsedMs)).catch(failed(s, 'tick'));
    },
  };
}
