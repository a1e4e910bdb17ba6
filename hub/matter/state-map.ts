// Hearth's reported state as Matter attributes (per bridged kind), and the other way: which
// attribute changes are a controller's, and what Hearth command each one is. A change equal to
// what the device reports is the bridge's own sync, not a controller's, and sends nothing.
import type { Endpoint } from '@matter/main';
import type { SettingValue } from '../../shared/capabilities.js';
import {
  type BridgedKind,
  brightnessFromLevel,
  fromCentiCelsius,
  levelFromBrightness,
  modeFromSystemMode,
  SYSTEM_MODE,
  toCentiCelsius,
} from './mapping.js';

export interface ControllerChange {
  capability: string;
  value?: SettingValue;
  params?: Record<string, number>;
  /** The attribute goes back to what the device reports afterwards (the feeder's "on"). */
  pulse?: boolean;
}

type Reported = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Attributes for a device's reported state; `initial` adds the fixed ranges a cluster needs. */
export function bridgedState(kind: BridgedKind, r: Reported, initial: boolean): Record<string, object> {
  const out: Record<string, object> = {};
  if (kind !== 'contact' && kind !== 'thermostat')
    out.onOff = { onOff: kind === 'feeder' ? false : r.power === true };
  const brightness = num(r.brightness);
  if ((kind === 'dimmable-light' || kind === 'color-temperature-light') && brightness !== undefined)
    out.levelControl = { currentLevel: levelFromBrightness(brightness) };
  const mireds = num(r.color_temp);
  if (kind === 'color-temperature-light')
    out.colorControl = {
      ...(initial
        ? {
            // ColorTemperatureMireds (2): the only mode a tunable-white light has.
            colorMode: 2,
            enhancedColorMode: 2,
            colorTempPhysicalMinMireds: 153,
            colorTempPhysicalMaxMireds: 500,
            coupleColorTempToLevelMinMireds: 153,
          }
        : {}),
      ...(mireds !== undefined ? { colorTemperatureMireds: Math.round(mireds) } : {}),
    };
  const channel = num(r.channel);
  if (kind === 'tv') out.channel = { currentChannel: { majorNumber: channel ?? 1, minorNumber: 0 } };
  if (kind === 'contact') out.booleanState = { stateValue: r.contact !== false };
  if (kind === 'thermostat') out.thermostat = thermostatState(r, initial);
  return out;
}

function thermostatState(r: Reported, initial: boolean): object {
  const target = num(r.target_temperature);
  const local = num(r.temperature);
  const mode = typeof r.mode === 'string' && r.mode in SYSTEM_MODE ? r.mode : undefined;
  const limits = { min: toCentiCelsius(5), max: toCentiCelsius(35) };
  return {
    ...(initial
      ? {
          // CoolingAndHeating (4): the thermostat has both modes.
          controlSequenceOfOperation: 4,
          absMinHeatSetpointLimit: limits.min,
          minHeatSetpointLimit: limits.min,
          absMaxHeatSetpointLimit: limits.max,
          maxHeatSetpointLimit: limits.max,
          absMinCoolSetpointLimit: limits.min,
          minCoolSetpointLimit: limits.min,
          absMaxCoolSetpointLimit: limits.max,
          maxCoolSetpointLimit: limits.max,
        }
      : {}),
    localTemperature: local === undefined ? null : toCentiCelsius(local),
    ...(target !== undefined
      ? { occupiedHeatingSetpoint: toCentiCelsius(target), occupiedCoolingSetpoint: toCentiCelsius(target) }
      : {}),
    ...(mode !== undefined ? { systemMode: SYSTEM_MODE[mode as keyof typeof SYSTEM_MODE] } : {}),
  };
}

/** Sliders and transitions change a level many times: only the last value of a burst is sent. */
const SETTLE_MS = 250;

/**
 * Calls `onChange` for each change a controller makes. `reported` is the device's state now: a
 * change to the value it already reports is the bridge's own sync and is ignored.
 */
export function watchChanges(
  endpoint: Endpoint,
  kind: BridgedKind,
  reported: () => Reported,
  onChange: (change: ControllerChange) => void,
): void {
  const timers = new Map<string, NodeJS.Timeout>();
  const settle = (capability: string, value: SettingValue) => {
    clearTimeout(timers.get(capability));
    const timer = setTimeout(() => {
      timers.delete(capability);
      if (reported()[capability] !== value) onChange({ capability, value });
    }, SETTLE_MS);
    timer.unref();
    timers.set(capability, timer);
  };
  // biome-ignore lint/suspicious/noExplicitAny: events are typed per endpoint type; this is one of several.
  const events = endpoint.events as any;
  if (events.onOff)
    events.onOff.onOff$Changed.on((on: boolean) => {
      if (kind === 'feeder') {
        if (on) onChange({ capability: 'feed', params: { portions: 1 }, pulse: true });
      } else if (reported().power !== on) onChange({ capability: 'power', value: on });
    });
  events.levelControl?.currentLevel$Changed.on((level: number | null) => {
    if (level === null) return;
    const brightness = brightnessFromLevel(level);
    // The bridge's own sync writes the level for the reported brightness: not a change.
    const now = num(reported().brightness);
    if (now === undefined || levelFromBrightness(now) !== level) settle('brightness', brightness);
  });
  events.colorControl?.colorTemperatureMireds$Changed.on((mireds: number) =>
    settle('color_temp', Math.max(153, Math.min(500, mireds))),
  );
  events.channel?.currentChannel$Changed.on((ch: { majorNumber: number } | null) => {
    if (ch && reported().channel !== ch.majorNumber)
      onChange({ capability: 'channel', value: ch.majorNumber });
  });
  if (events.thermostat) {
    const setpoint = (centi: number) => settle('target_temperature', fromCentiCelsius(centi));
    events.thermostat.occupiedHeatingSetpoint$Changed.on(setpoint);
    events.thermostat.occupiedCoolingSetpoint$Changed.on(setpoint);
    events.thermostat.systemMode$Changed.on((value: number) => {
      const mode = modeFromSystemMode(value);
      if (mode && reported().mode !== mode) onChange({ capability: 'mode', value: mode });
    });
  }
}
