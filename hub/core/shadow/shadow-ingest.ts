// Turns what devices publish (retained info/status/state, events, acks) into the shadow. Every
// payload is validated with the shared schemas; a bad one is logged, counted and changes nothing.

import { decodeJson } from '../../../shared/decode.js';
import { type ErrorCode, HearthError } from '../../../shared/errors.js';
import {
  AckSchema,
  AvailabilitySchema,
  DeviceEventSchema,
  DeviceInfoSchema,
  DeviceStateSchema,
  PAYLOAD_LIMITS,
} from '../../../shared/payloads.js';
import { allDevicesTopic, parseTopic } from '../../../shared/topics.js';
import type { HubContext, HubMessaging } from '../context.js';
import { type DeviceEntry, descriptorsOf, type InternalRegistry } from '../registry/device-registry.js';

export interface ShadowIngest {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createShadowIngest(
  ctx: HubContext,
  messaging: HubMessaging,
  registry: InternalRegistry,
): ShadowIngest {
  const log = ctx.log.child({ module: 'shadow' });
  const invalid = ctx.metrics.counter(
    'hearth_invalid_payloads_total',
    'Device payloads refused by validation',
  );
  const stale = ctx.metrics.counter(
    'hearth_stale_states_total',
    'State reports ignored because their seq did not grow',
  );
  const unsubscribes: Array<() => Promise<void>> = [];

  const refuse = (deviceId: string, channel: string, code: ErrorCode, message: string) => {
    invalid.inc({ channel, code });
    log.warn({ deviceId, channel, code }, `refused ${channel} payload: ${message}`);
  };

  const handlers: Record<string, (entry: DeviceEntry, payload: Buffer) => void> = {
    info(entry, payload) {
      if (payload.length === 0) return; // retained topic cleared
      const info = decodeJson(DeviceInfoSchema, payload, PAYLOAD_LIMITS.info);
      if (!info.ok) return refuse(entry.view.id, 'info', info.error.code, info.error.message);
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
      if (!status.success)
        return refuse(entry.view.id, 'status', 'invalid_payload', 'expected online or offline');
      registry.setAvailability(entry.view.id, status.data === 'online');
    },
    state(entry, payload) {
      if (payload.length === 0) return;
      const state = decodeJson(DeviceStateSchema, payload, PAYLOAD_LIMITS.state);
      if (!state.ok) return refuse(entry.view.id, 'state', state.error.code, state.error.message);
      const s = state.value;
      const declared = new Set(entry.view.capabilities.map((c) => c.name));
      const undeclared = Object.keys(s.values).filter((k) => !declared.has(k as never));
      if (undeclared.length > 0)
        return refuse(
          entry.view.id,
          'state',
          'unknown_capability',
          `undeclared capabilities ${undeclared.join(', ')}`,
        );
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
      if (!event.ok) return refuse(entry.view.id, 'event', event.error.code, event.error.message);
      const deviceId = entry.view.id;
      const { type, ts: _ts, ...data } = event.value;
      const at = ctx.clock.now();
      const json = JSON.stringify(data);
      ctx.writes.enqueue(() => ctx.repos.devices.appendEvent(deviceId, type, json, at));
      ctx.bus.emit('device.event', { deviceId, event: event.value });
    },
    ack(entry, payload) {
      const ack = decodeJson(AckSchema, payload, PAYLOAD_LIMITS.ack);
      if (!ack.ok) return refuse(entry.view.id, 'ack', ack.error.code, ack.error.message);
      ctx.bus.emit('device.ack', { deviceId: entry.view.id, ack: ack.value });
    },
  };

  return {
    async start() {
      for (const channel of Object.keys(handlers) as Array<keyof typeof handlers & string>) {
        const handler = handlers[channel] as (entry: DeviceEntry, payload: Buffer) => void;
        unsubscribes.push(
          await messaging.subscribe(allDevicesTopic(channel as never), (topic, payload) => {
            const parsed = parseTopic(topic);
            if (parsed?.kind !== 'device') return;
            const entry = registry.entry(parsed.deviceId);
            if (!entry) return; // a removed device's last words; its credentials are already gone
            try {
              handler(entry, payload);
            } catch (err) {
              const code = err instanceof HearthError ? err.code : 'internal';
              refuse(parsed.deviceId, channel, code, (err as Error).message);
            }
          }),
        );
      }
    },
    async stop() {
      await Promise.all(unsubscribes.splice(0).map((u) => u()));
    },
  };
}
