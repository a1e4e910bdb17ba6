// Model handlers on their own: physics and refusals, without a runtime.
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../devices/models/index.js';
import type { EventDraft, ModelContext, Values } from '../../../devices/models/model.js';
import { describeCapability } from '../../../shared/capabilities.js';
import { DeviceInfoSchema } from '../../../shared/payloads.js';

const ctx = (values: Values, faults: string[] = []) => {
  const events: EventDraft[] = [];
  const c: ModelContext = { values, faults: new Set(faults), now: () => 0, emit: (e) => events.push(e) };
  return { c, events };
};

describe('device models', () => {
  it('every model declares valid capabilities and initial values within them', () => {
    for (const model of Object.values(MODELS)) {
      expect(
        DeviceInfoSchema.safeParse({
          model: model.model,
          firmware: model.firmware,
          capabilities: model.capabilities,
        }).success,
      ).toBe(true);
      const names = model.capabilities.map((c) => c.name as string);
      for (const [key, value] of Object.entries(model.initial)) {
        expect(names, `${model.model}.${key}`).toContain(key);
        const d = describeCapability({ name: key as never });
        if (typeof value === 'number' && d.min !== undefined && d.max !== undefined) {
          expect(value).toBeGreaterThanOrEqual(d.min);
          expect(value).toBeLessThanOrEqual(d.max);
        }
      }
      for (const c of model.capabilities) {
        if (describeCapability(c).kind === 'action')
          expect(model.actions?.[c.name], `${model.model}.${c.name}`).toBeDefined();
      }
    }
  });

  it('feeder: feeds from the hopper, refuses when jammed or empty', () => {
    const feed = MODELS.feeder?.actions?.feed;
    if (!feed) throw new Error('no feed');
    const { c, events } = ctx({ hopper: 12 });
    feed(c, { portions: 2 }, 'c1');
    expect(c.values.hopper).toBe(2);
    expect(events).toEqual([{ type: 'fed', portions: 2, commandId: 'c1' }]);
    expect(() => feed(c, { portions: 1 }, 'c2')).toThrow(/hopper has 2 %/);
    expect(() => feed(ctx({ hopper: 100 }, ['jam']).c, { portions: 1 }, 'c3')).toThrow(/jammed/);
  });

  it('plug meters energy only while on; thermostat heads for target or ambient', () => {
    const plug = MODELS.plug;
    const on = ctx({ power: true, energy: 0 });
    plug?.tick?.(on.c, 3_600_000);
    expect(on.c.values.energy).toBeCloseTo(0.1);
    const off = ctx({ power: false, energy: 1 });
    plug?.tick?.(off.c, 3_600_000);
    expect(off.c.values.energy).toBe(1);

    const t = MODELS.thermostat;
    const heat = ctx({ mode: 'heat', target_temperature: 22, temperature: 18 });
    t?.tick?.(heat.c, 120_000);
    expect(heat.c.values.temperature).toBe(19);
    const idle = ctx({ mode: 'off', target_temperature: 22, temperature: 20 });
    t?.tick?.(idle.c, 600_000);
    expect(idle.c.values.temperature).toBe(18);
  });
});
