// The command path: validate against the device's descriptors, record durably, publish to the
// device, and settle on its ack. Pending commands survive hub restarts and reach a device that
// comes back online, unless they have expired: a feeder offline for three hours never feeds late.
import { randomBytes } from 'node:crypto';
import { validateRequest } from '../../../shared/capabilities.js';
import { decodeJson } from '../../../shared/decode.js';
import { HearthError } from '../../../shared/errors.js';
import { type Ack, AckSchema, type Command, PAYLOAD_LIMITS } from '../../../shared/payloads.js';
import { deviceTopic } from '../../../shared/topics.js';
import type { CommandRecord } from '../../../shared/views.js';
import type { CommandService, HubContext, HubMessaging } from '../context.js';
import type { ChannelHandler } from '../inbound-router.js';
import type { InternalRegistry } from '../registry/device-registry.js';
import type { Twin } from '../shadow/twin.js';
import { requestHash } from './request-hash.js';

const MAX_TTL_MS = 7 * 24 * 3600_000;
const SWEEP_MS = 1000;

export interface CommandUnit extends CommandService {
  start(): void;
  stop(): void;
  /** Commands waiting for an ack (for the twin's view of what is in flight). */
  activeRecords(): CommandRecord[];
  /** The ack channel's owner (the inbound router hands it every ack a device publishes). */
  readonly ackChannel: ChannelHandler;
}

export function createCommandService(
  ctx: HubContext,
  messaging: HubMessaging,
  registry: InternalRegistry,
  twin: Twin,
): CommandUnit {
  const { clock, bus, config, writes: batcher } = ctx;
  const { commands: repo, tx } = ctx.repos;
  const log = ctx.log.child({ module: 'commands' });
  const issued = ctx.metrics.counter('hearth_commands_total', 'Commands by final status');
  const refused = ctx.metrics.counter(
    'hearth_command_refusals_total',
    'Commands refused before sending, by code',
  );
  const strayAcks = ctx.metrics.counter(
    'hearth_unmatched_acks_total',
    'Acks for unknown or settled commands',
  );
  /** Commands still waiting for an ack (pending or sent), by id. */
  const active = new Map<string, CommandRecord>();
  const waiters = new Map<string, Array<() => void>>();
  const unsubscribe: Array<() => void> = [];
  let sweepTimer: NodeJS.Timeout | undefined;
  const keys = () => ctx.repos.idempotency;

  const persist = (r: CommandRecord) => {
    const saved = { ...r };
    batcher.enqueue(() => repo.saveStatus(saved));
  };

  const changed = (r: CommandRecord) => {
    bus.emit('command.updated', {
      commandId: r.id,
      deviceId: r.deviceId,
      capability: r.capability,
      status: r.status,
      ...(r.error ? { error: r.error } : {}),
    });
  };

  const settle = (r: CommandRecord) => {
    active.delete(r.id);
    issued.inc({ status: r.status });
    persist(r);
    changed(r);
    for (const wake of waiters.get(r.id) ?? []) wake();
    waiters.delete(r.id);
  };

  const publish = (r: CommandRecord) => {
    const payload: Command = {
      id: r.id,
      capability: r.capability as Command['capability'],
      issuedAt: r.issuedAt,
      expiresAt: r.expiresAt,
      ...(r.value !== undefined ? { value: r.value } : {}),
      ...(r.params !== undefined ? { params: r.params } : {}),
      ...(r.occurrence !== undefined ? { occurrence: r.occurrence } : {}),
    };
    messaging
      .publish(deviceTopic(r.deviceId, 'cmd'), JSON.stringify(payload), { qos: 1 })
      .catch((err: unknown) => {
        log.warn({ err, commandId: r.id }, 'publish failed; will retry when the device reconnects');
      });
  };

  /** A queued command leaves for a device that came back. */
  const send = (r: CommandRecord) => {
    r.status = 'sent';
    r.sentAt = clock.now();
    persist(r);
    changed(r);
    publish(r);
  };

  const onAck = (deviceId: string, ack: Ack) => {
    const r = active.get(ack.id);
    if (!r || r.deviceId !== deviceId) {
      strayAcks.inc();
      return;
    }
    r.ackedAt = clock.now();
    if (ack.ok) r.status = 'done';
    else {
      r.status = ack.error.code === 'expired' ? 'expired' : 'failed';
      r.error = { code: ack.error.code, message: ack.error.message };
    }
    settle(r);
  };

  /** A device came back: deliver what it missed, oldest first, unless expired. */
  const onAvailability = ({ deviceId, online }: { deviceId: string; online: boolean }) => {
    if (!online) return;
    const now = clock.now();
    const due = [...active.values()]
      .filter((r) => r.deviceId === deviceId)
      .sort((a, b) => a.issuedAt - b.issuedAt);
    for (const r of due) {
      if (r.expiresAt <= now) expire(r);
      else send(r);
    }
  };

  const expire = (r: CommandRecord) => {
    r.status = 'expired';
    r.error = { code: 'expired', message: 'the device did not answer before the command expired' };
    settle(r);
  };

  const sweep = () => {
    const now = clock.now();
    for (const r of active.values()) if (r.expiresAt <= now) expire(r);
  };

  const waitFor = (id: string, ms: number) =>
    new Promise<void>((resolve) => {
      if (!active.has(id) || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      const list = waiters.get(id) ?? [];
      list.push(done);
      waiters.set(id, list);
    });

  const get = (commandId: string): CommandRecord | undefined => {
    const live = active.get(commandId);
    if (live) return { ...live };
    batcher.flush();
    return repo.get(commandId);
  };

  /** The command an earlier request with this key made, or undefined; throws on another request. */
  const replayed = (source: string, key: string, hash: string): CommandRecord | undefined => {
    const seen = keys().find(source, key);
    if (!seen) return undefined;
    if (seen.requestHash !== hash) {
      refused.inc({ code: 'conflict' });
      throw new HearthError('conflict', 'this Idempotency-Key was already used with another request', {
        commandId: seen.commandId,
      });
    }
    return get(seen.commandId);
  };

  return {
    start() {
      // In the order they were issued: a device that gets them again applies the newest setting last.
      for (const record of repo.active()) active.set(record.id, record);
      sweep();
      unsubscribe.push(bus.on('device.availability', 'commands', onAvailability));
      sweepTimer = setInterval(sweep, SWEEP_MS);
      sweepTimer.unref();
    },
    stop() {
      if (sweepTimer) clearInterval(sweepTimer);
      for (const u of unsubscribe.splice(0)) u();
      for (const list of waiters.values()) for (const wake of list) wake();
      waiters.clear();
    },
    activeCount: () => active.size,
    ackChannel(entry, payload) {
      const ack = decodeJson(AckSchema, payload, PAYLOAD_LIMITS.ack);
      if (!ack.ok) throw new HearthError(ack.error.code, ack.error.message);
      onAck(entry.view.id, ack.value);
    },
    activeRecords: () => [...active.values()].map((r) => ({ ...r })),
    async issue(request, options = {}) {
      const device = registry.get(request.deviceId);
      if (!device) {
        refused.inc({ code: 'unknown_device' });
        throw new HearthError('unknown_device', `no device with id ${request.deviceId}`);
      }
      const key = options.idempotencyKey;
      const hash =
        key === undefined
          ? undefined
          : requestHash({
              deviceId: request.deviceId,
              capability: request.capability,
              value: request.value,
              params: request.params,
              ttlMs: request.ttlMs,
              issuedAt: request.issuedAt,
            });
      const earlier =
        key !== undefined && hash !== undefined ? replayed(request.source, key, hash) : undefined;
      if (earlier) {
        await waitFor(earlier.id, options.waitMs ?? config.commands.waitMs);
        return get(earlier.id) ?? earlier;
      }
      let normalized: ReturnType<typeof validateRequest>;
      try {
        normalized = validateRequest(device.capabilities, request);
        if (
          request.ttlMs !== undefined &&
          (!Number.isInteger(request.ttlMs) || request.ttlMs < 1 || request.ttlMs > MAX_TTL_MS)
        )
          throw new HearthError('out_of_range', `ttlMs must be a whole number from 1 to ${MAX_TTL_MS}`);
      } catch (err) {
        if (err instanceof HearthError) refused.inc({ code: err.code });
        throw err;
      }
      const kind = normalized.params !== undefined ? 'action' : 'setting';
      const now = clock.now();
      const ttl =
        request.ttlMs ?? (kind === 'action' ? config.commands.actionTtlMs : config.commands.settingTtlMs);
      const expiresAt = Math.min(request.issuedAt ?? now, now) + ttl;
      if (expiresAt <= now) {
        refused.inc({ code: 'expired' });
        throw new HearthError(
          'expired',
          `the command was issued ${now - (request.issuedAt ?? now)} ms ago and expired on its way`,
        );
      }
      // A command for a device that is online is recorded as sent in the same commit that records
      // it (one commit per command instead of two); it leaves once that commit is durable. A hub
      // that dies in between re-sends it at start, as it does every command not yet acknowledged.
      const online = device.online;
      const record: CommandRecord = {
        id: newCommandId(),
        deviceId: device.id,
        capability: normalized.capability,
        kind,
        ...(normalized.value !== undefined ? { value: normalized.value } : {}),
        ...(normalized.params !== undefined ? { params: normalized.params } : {}),
        status: online ? 'sent' : 'pending',
        source: request.source,
        issuedAt: now,
        expiresAt,
        sentAt: online ? now : null,
        ackedAt: null,
        ...(request.occurrence !== undefined ? { occurrence: request.occurrence } : {}),
      };
      // Durable before anyone is told the command exists: a hub killed now still delivers it, and
      // a setting's desired value commits with it (else a restarted hub would re-send the command
      // yet remember an older desired state).
      const insert = () => repo.insert(record);
      const remember = () => {
        if (key !== undefined && hash !== undefined)
          keys().record(request.source, key, { requestHash: hash, commandId: record.id }, now);
      };
      const entry = kind === 'setting' ? registry.entry(device.id) : undefined;
      if (entry && record.value !== undefined) {
        const value = record.value;
        tx.atomically(() => {
          insert();
          remember();
          twin.want(entry, record.capability, value);
        });
      } else if (key !== undefined) {
        tx.atomically(() => {
          insert();
          remember();
        });
      } else insert();
      options.onRecorded?.(record.id);
      active.set(record.id, record);
      changed(record);
      // Inside a batch (a scheduler tick) the command leaves once the batch has committed: a crash
      // in between must not leave a device acting on a command the hub has no record of. A device
      // that went offline meanwhile gets it when it is back (onAvailability).
      tx.whenCommitted(() => {
        if (record.status === 'sent' && active.has(record.id) && registry.get(record.deviceId)?.online)
          publish(record);
      });
      // Nobody waits on a device the hub knows is offline: the caller hears at once that the
      // command is queued, and until when.
      if (online) await waitFor(record.id, options.waitMs ?? config.commands.waitMs);
      return { ...record };
    },
    get,
    list({ deviceId, limit = 50 }) {
      batcher.flush();
      return repo.list({ deviceId, limit });
    },
  };
}

// Unique without a random syscall per command: a random per-process prefix (so ids never repeat
// across restarts) and a counter. Command ids are not secrets.
const idPrefix = randomBytes(6).toString('base64url');
let idCounter = 0;
function newCommandId(): string {
  idCounter += 1;
  return `${idPrefix}${idCounter.toString(36)}`;
}
