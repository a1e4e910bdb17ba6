// Turns what devices publish on the shadow's channels (retained info, status and state; events)
// into the shadow. Every payload is validated with the shared schemas; a bad one throws, and the
// inbound router logs and counts it.

import { decodeJson } from '../../../shared/decode.js';
import { HearthError } from '../../../shared/errors.js';
import {
  AvailabilitySchema,
  DeviceEventSchema,
  DeviceInfoSchema,
  DeviceStateSchema,
  PAYLOAD_LIMITS,
} from '../../../shared/payloads.js';
import type { DeviceChannel } from '../../../shared/topics.js';
import type { HubContext } from '../context.js';
import type { ChannelHandler } from '../inbound-router.js';
import type { InternalRegistry } from '../registry/device-registry.js';
import { descriptorsOf } from '../registry/stored-view.js';

/** The shadow's handlers for the device channels it owns. */
export function createShadowIngest(
  ctx: HubContext,
  registry: InternalRegistry,
): Partial<Record<DeviceChannel, ChannelHandler>> {
  const stale = ctx.metrics.counter(
    'hearth_stale_states_total',
    'State reports ignored because their seq did not grow',
  );
  const refuse = (error: { code: HearthError['code']; message: string }): never => {
    throw new HearthError(error.code, error.message);
  };

  return {
    info(entry, payload) {
      if (payload.length === 0) return; // retained topic cleared
      const info = decodeJson(DeviceInfoSchema, payload, PAYLOAD_LIMITS.info);
      if (!info.ok) return refuse(info.error);
      const capabilities = descriptorsOf(info.value.capabilities);
      // Devices re-announce the same info on every connect: in a reconnect surge that is a thousand
      // no-op writes and schedule re-checks, so only a change is stored and announced.
      if (
        info.value.model === entry.view.model &&
        info.value.firmware === entry.view.firmware &&
        JSON.stringify(capabilities) === JSON.stringify(entry.view.capabilities)
      )
        return;
      entry.view = { ...entry.view, model: info.value.model, firmware: info.value.firmware, capabilities };
      registry.persistDevice(entry);
      ctx.bus.emit('device.info', { deviceId: entry.view.id, info: info.value });
    },
    status(entry, payload) {
      if (payload.length === 0) return;
      const status = AvailabilitySchema.safeParse(payload.toString('utf8'));
      if (!status.success) return refuse({ code: 'invalid_payload', message: 'expected online or offline' });
      registry.setAvailability(entry.view.id, status.data === 'online');
    },
    state(entry, payload) {
      if (payload.length === 0) return;
      const state = decodeJson(DeviceStateSchema, payload, PAYLOAD_LIMITS.state);
      if (!state.ok) return refuse(state.error);
      const s = state.value;
      const declared = new Set(entry.view.capabilities.map((c) => c.name));
      const undeclared = Object.keys(s.values).filter((k) => !declared.has(k as never));
      if (undeclared.length > 0)
        return refuse({
          code: 'unknown_capability',
          message: `undeclared capabilities ${undeclared.join(', ')}`,
        });
      if (s.seq <= entry.view.reportedSeq) {
        stale.inc();
        return;
      }
      const now = ctx.clock.now();
      entry.view = {
        ...entry.view,
        reported: s.values,
        reportedSeq: s.seq,
        reportedAt: now,
        lastSeenAt: now,
        fault: s.fault ?? null,
        ...(s.schedulesVersion !== undefined ? { schedulesVersion: s.schedulesVersion } : {}),
      };
      registry.persistShadow(entry);
      const deviceId = entry.view.id;
      const values = JSON.stringify(s.values);
      ctx.writes.enqueue(() => ctx.repos.devices.appendHistory(deviceId, s.seq, values, now));
      ctx.bus.emit('device.state', { deviceId, state: s });
    },
    event(entry, payload) {
      const event = decodeJson(DeviceEventSchema, payload, PAYLOAD_LIMITS.event);
      if (!event.ok) return refuse(event.error);
      const deviceId = entry.view.id;
      const { type, ts: _ts, ...data } = event.value;
      const at = ctx.clock.now();
      const json = JSON.stringify(data);
      ctx.writes.enqueue(() => ctx.repos.devices.appendEvent(deviceId, type, json, at));
      ctx.bus.emit('device.event', { deviceId, event: event.value });
    },
  };
}
