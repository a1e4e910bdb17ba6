// The command path: admit a request against the device's descriptors, record it durably (with the
// desired value it sets, in one commit), publish it to the device, and answer once it settles or
// the caller's wait runs out. Pending commands survive hub restarts (in-flight.ts).
import { decodeJson } from '../../../shared/decode.js';
import { HearthError } from '../../../shared/errors.js';
import { AckSchema, PAYLOAD_LIMITS } from '../../../shared/payloads.js';
import type { CommandRecord } from '../../../shared/views.js';
import type { CommandService, HubContext, HubMessaging, IssueOptions } from '../context.js';
import type { ChannelHandler } from '../inbound-router.js';
import type { InternalRegistry } from '../registry/device-registry.js';
import type { Twin } from '../shadow/twin.js';
import { admitCommand, idempotencyFields } from './command-admission.js';
import { InFlightCommands } from './in-flight.js';
import { requestHash } from './request-hash.js';

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
  const { clock, config, writes: batcher } = ctx;
  const { commands: repo, tx, idempotency } = ctx.repos;
  const inFlight = new InFlightCommands(ctx, messaging);
  const refused = ctx.metrics.counter(
    'hearth_command_refusals_total',
    'Commands refused before sending, by code',
  );
  const refuse = (code: HearthError['code'], message: string, details?: unknown): never => {
    refused.inc({ code });
    throw new HearthError(code, message, details);
  };
  const waitMs = (options: IssueOptions) => options.waitMs ?? config.commands.waitMs;

  const get = (commandId: string): CommandRecord | undefined => {
    const live = inFlight.active.get(commandId);
    if (live) return { ...live };
    batcher.flush();
    return repo.get(commandId);
  };

  /** The command an earlier request with this key made, or undefined; throws on another request. */
  const replayed = (source: string, key: string, hash: string): CommandRecord | undefined => {
    const seen = idempotency.find(source, key);
    if (!seen) return undefined;
    if (seen.requestHash !== hash)
      refuse('conflict', 'this Idempotency-Key was already used with another request', {
        commandId: seen.commandId,
      });
    return get(seen.commandId);
  };

  /** Durable before anyone is told the command exists, with its key and the desired value it sets. */
  const record = (r: CommandRecord, key: { source: string; key: string; hash: string } | undefined) => {
    const remember = () => {
      if (key)
        idempotency.record(key.source, key.key, { requestHash: key.hash, commandId: r.id }, r.issuedAt);
    };
    const entry = r.kind === 'setting' ? registry.entry(r.deviceId) : undefined;
    const value = r.value;
    if (entry && value !== undefined)
      tx.atomically(() => {
        repo.insert(r);
        remember();
        twin.want(entry, r.capability, value);
      });
    else if (key)
      tx.atomically(() => {
        repo.insert(r);
        remember();
      });
    else repo.insert(r);
  };

  return {
    start: () => inFlight.start(),
    stop: () => inFlight.stop(),
    activeCount: () => inFlight.active.size,
    activeRecords: () => [...inFlight.active.values()].map((r) => ({ ...r })),
    ackChannel(entry, payload) {
      const ack = decodeJson(AckSchema, payload, PAYLOAD_LIMITS.ack);
      if (!ack.ok) throw new HearthError(ack.error.code, ack.error.message);
      inFlight.acknowledge(entry.view.id, ack.value);
    },
    async issue(request, options = {}) {
      const device = registry.get(request.deviceId);
      if (!device) return refuse('unknown_device', `no device with id ${request.deviceId}`);
      const key =
        options.idempotencyKey === undefined
          ? undefined
          : {
              source: request.source,
              key: options.idempotencyKey,
              hash: requestHash(idempotencyFields(request)),
            };
      const earlier = key ? replayed(key.source, key.key, key.hash) : undefined;
      if (earlier) {
        await inFlight.waitFor(earlier.id, waitMs(options));
        return get(earlier.id) ?? earlier;
      }
      let r: CommandRecord;
      try {
        r = admitCommand(device, request, config.commands, clock.now());
      } catch (err) {
        if (err instanceof HearthError) refused.inc({ code: err.code });
        throw err;
      }
      // A hub killed now still delivers it; a restarted hub never re-sends a command yet remembers
      // an older desired state.
      record(r, key);
      options.onRecorded?.(r.id);
      inFlight.track(r);
      // Inside a batch (a scheduler tick) the command leaves once the batch has committed: a crash
      // in between must not leave a device acting on a command the hub has no record of. A device
      // that went offline meanwhile gets it when it is back.
      tx.whenCommitted(() => {
        if (r.status === 'sent' && inFlight.active.has(r.id) && registry.get(r.deviceId)?.online)
          inFlight.publish(r);
      });
      // Nobody waits on a device the hub knows is offline: the caller hears at once that the
      // command is queued, and until when.
      if (device.online) await inFlight.waitFor(r.id, waitMs(options));
      return { ...r };
    },
    get,
    list({ deviceId, limit = 50 }) {
      batcher.flush();
      return repo.list({ deviceId, limit });
    },
  };
}
