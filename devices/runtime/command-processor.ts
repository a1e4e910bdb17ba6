// Decides what one command does, without touching the network or the disk: validate (shared
// CommandSchema, then the device's own descriptors), answer duplicates from memory, refuse what
// has expired, run the model's handler on a draft of the values. The runtime commits the outcome
// (flash first, then state/events/ack) so a reboot can never perform a command twice.
import { type CapabilityDescriptor, type SettingValue, validateRequest } from '../../shared/capabilities.js';
import { decodeJson } from '../../shared/decode.js';
import { type ErrorBody, HearthError } from '../../shared/errors.js';
import {
  type Ack,
  type Command,
  CommandIdSchema,
  CommandSchema,
  PAYLOAD_LIMITS,
} from '../../shared/payloads.js';
import type { DeviceModel, EventDraft, ModelContext, Values } from '../models/model.js';
import { recall } from './command-memory.js';
import type { CommandResult, RememberedCommand } from './flash-state.js';

export type CommandOutcome =
  /** Not a command we can answer: no usable id to ack. */
  | { kind: 'unanswerable'; reason: string }
  /** Invalid, but it carried an id: ack the error, remember nothing (the id is not trustworthy). */
  | { kind: 'rejected'; ack: Ack }
  /** Seen before: re-ack what we answered then, do nothing. */
  | { kind: 'duplicate'; ack: Ack }
  /** Decided: remember it, commit `values` (if changed) and `events`, then ack. */
  | { kind: 'decided'; command: Command; ack: Ack; values: Values; changed: boolean; events: EventDraft[] };

export interface CommandInputs {
  model: DeviceModel;
  descriptors: readonly CapabilityDescriptor[];
  values: Values;
  faults: ReadonlySet<string>;
  memory: readonly RememberedCommand[];
  now: number;
}

const toAck = (id: string, result: CommandResult): Ack =>
  result.ok ? { id, ok: true } : { id, ok: false, error: result.error };

function errorBody(err: unknown): ErrorBody {
  if (err instanceof HearthError) return { code: err.code, message: err.message };
  return { code: 'internal', message: `handler failed: ${(err as Error)?.message ?? String(err)}` };
}

/** Best effort: the id of a payload that failed validation, so its sender still gets an answer. */
function salvageId(payload: Buffer): string | undefined {
  try {
    const id = (JSON.parse(payload.toString('utf8')) as { id?: unknown })?.id;
    return CommandIdSchema.safeParse(id).success ? (id as string) : undefined;
  } catch {
    return undefined;
  }
}

export function processCommand(payload: Buffer, inputs: CommandInputs): CommandOutcome {
  const decoded = decodeJson(CommandSchema, payload, PAYLOAD_LIMITS.cmd);
  if (!decoded.ok) {
    const id = decoded.error.code === 'payload_too_large' ? undefined : salvageId(payload);
    if (id === undefined)
      return { kind: 'unanswerable', reason: `${decoded.error.code}: ${decoded.error.message}` };
    return {
      kind: 'rejected',
      ack: { id, ok: false, error: { code: decoded.error.code, message: decoded.error.message } },
    };
  }
  const command = decoded.value;
  const remembered = recall(inputs.memory, command.id);
  if (remembered) return { kind: 'duplicate', ack: toAck(command.id, remembered) };
  return { kind: 'decided', command, ...decide(command, inputs) };
}

function decide(command: Command, inputs: CommandInputs) {
  const values: Values = { ...inputs.values };
  const events: EventDraft[] = [];
  const fail = (error: ErrorBody) => ({
    ack: toAck(command.id, { ok: false, error }),
    values: inputs.values,
    changed: false,
    events: [],
  });
  if (command.expiresAt < inputs.now) {
    const lateBy = Math.round((inputs.now - command.expiresAt) / 1000);
    return fail({ code: 'expired', message: `command expired ${lateBy} s ago; not performed` });
  }
  try {
    const request = validateRequest(inputs.descriptors, command);
    const ctx: ModelContext = {
      values,
      faults: inputs.faults,
      now: () => inputs.now,
      emit: (e) => events.push(e),
    };
    if (request.params !== undefined) {
      const handler = inputs.model.actions?.[request.capability];
      if (!handler)
        throw new HearthError('unsupported', `${request.capability} is not implemented by this firmware`);
      handler(ctx, request.params, command.id);
    } else {
      const handler = inputs.model.settings?.[request.capability];
      if (handler) handler(ctx, request.value as SettingValue);
      else values[request.capability] = request.value as SettingValue;
    }
  } catch (err) {
    return fail(errorBody(err));
  }
  const changed = Object.keys(values).some((k) => values[k] !== inputs.values[k]);
  return { ack: toAck(command.id, { ok: true }), values, changed, events };
}
