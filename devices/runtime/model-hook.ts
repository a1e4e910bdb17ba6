// Runs a model's physics or sensor hook on a draft of the reported values, so a hook that throws
// half-way changes nothing; the boot publishes what changed and the events the hook raised.
import type { EventDraft, ModelContext } from '../models/model.js';
import type { DeviceClock } from './device-clock.js';
import type { FlashState } from './flash-state.js';

export function runModelHook(
  state: FlashState,
  clock: DeviceClock,
  fn: (ctx: ModelContext) => void,
): { changed: boolean; events: EventDraft[] } {
  const draft = { ...state.values };
  const events: EventDraft[] = [];
  fn({ values: draft, faults: new Set(state.faults), now: () => clock.now(), emit: (e) => events.push(e) });
  const changed = Object.keys(draft).some((k) => draft[k] !== state.values[k]);
  if (changed) state.values = draft;
  return { changed, events };
}
