// A device model is data plus small handlers (matter.js style): the capabilities it declares, its
// initial values, and a handler for each capability that does more than store a value. The runtime
// does everything else (validation, de-duplication, expiry, acks, persistence, publishing).
import type {
  ActionParams,
  CapabilityDeclaration,
  CapabilityName,
  SettingValue,
} from '../../shared/capabilities.js';
import type { DeviceEvent } from '../../shared/payloads.js';

export type Values = Record<string, SettingValue>;
type WithoutTs<T> = T extends unknown ? Omit<T, 'ts'> : never;
export type EventDraft = WithoutTs<DeviceEvent>;

/** What a handler sees: a draft of the values it may change, the device's faults, time, events. */
export interface ModelContext {
  readonly values: Values;
  readonly faults: ReadonlySet<string>;
  now(): number;
  emit(event: EventDraft): void;
}

export interface DeviceModel {
  model: string;
  firmware: string;
  capabilities: CapabilityDeclaration[];
  initial: Values;
  /** Settings that do more than store their value. Throw HearthError to refuse. */
  settings?: Partial<Record<CapabilityName, (ctx: ModelContext, value: SettingValue) => void>>;
  /** Actions (every action needs a handler). Throw HearthError to refuse. */
  actions?: Partial<
    Record<CapabilityName, (ctx: ModelContext, params: ActionParams, commandId: string) => void>
  >;
  /** Physics between commands (temperature drift, energy metering), driven by the host's ticker. */
  tick?(ctx: ModelContext, elapsedMs: number): void;
  /** A drill sets sensor readings from outside (a door opens); the model decides what follows. */
  sense?(ctx: ModelContext, readings: Values): void;
  /** Faults this model can be switched into (besides the runtime's connection faults). */
  faults?: readonly string[];
}

/** Rounds away float noise so states compare and print cleanly. */
export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
