// A typed event bus that isolates failures: a listener that throws (or rejects) is logged with its
// owner's name and never takes the emitter, or the hub, down.
import type { DeviceEvent, DeviceInfo, DeviceState } from '../../shared/payloads.js';
import type { CommandStatus } from '../../shared/views.js';
import type { Logger } from '../infra/log.js';

export interface CommandUpdate {
  commandId: string;
  deviceId: string;
  capability: string;
  status: CommandStatus;
  error?: { code: string; message: string };
}

export interface HubEvents {
  'device.info': { deviceId: string; info: DeviceInfo };
  'device.state': { deviceId: string; state: DeviceState };
  'device.availability': { deviceId: string; online: boolean; at: number };
  'device.event': { deviceId: string; event: DeviceEvent };
  'device.added': { deviceId: string };
  /** Renamed or moved to another room. */
  'device.updated': { deviceId: string };
  'device.removed': { deviceId: string };
  'command.updated': CommandUpdate;
  'schedule.ran': {
    scheduleId: string;
    deviceId: string;
    occurrence: string;
    ok: boolean;
    by: 'hub' | 'device';
  };
  'provision.discovered': { claimId: string; model: string };
  'provision.adopted': { claimId: string; deviceId: string };
  /** A token (a phone, an integration) was revoked or given other rights: every session opened with it must end. */
  'token.changed': { tokenId: string };
  /** An integration's MQTT user was removed: its sessions must end. */
  'mqtt-user.removed': { name: string };
}

export type HubEventName = keyof HubEvents;
type Listener<E extends HubEventName> = (payload: HubEvents[E]) => void | Promise<void>;

export interface EventBus {
  on<E extends HubEventName>(event: E, owner: string, listener: Listener<E>): () => void;
  emit<E extends HubEventName>(event: E, payload: HubEvents[E]): void;
  /** Removes every listener registered by `owner` (a unit calls this when it stops). */
  removeOwner(owner: string): void;
}

export function createEventBus(log: Logger): EventBus {
  const listeners = new Map<HubEventName, Array<{ owner: string; fn: Listener<HubEventName> }>>();

  const report = (owner: string, event: string, err: unknown) =>
    log.error({ err, owner, event }, 'event listener failed; the hub carries on');

  return {
    on(event, owner, listener) {
      const list = listeners.get(event) ?? [];
      const entry = { owner, fn: listener as Listener<HubEventName> };
      list.push(entry);
      listeners.set(event, list);
      return () => {
        const current = listeners.get(event);
        if (current)
          listeners.set(
            event,
            current.filter((e) => e !== entry),
          );
      };
    },
    emit(event, payload) {
      for (const { owner, fn } of listeners.get(event) ?? []) {
        try {
          const result = fn(payload);
          if (result instanceof Promise) result.catch((err: unknown) => report(owner, event, err));
        } catch (err) {
          report(owner, event, err);
        }
      }
    },
    removeOwner(owner) {
      for (const [event, list] of listeners)
        listeners.set(
          event,
          list.filter((e) => e.owner !== owner),
        );
    },
  };
}
