// Cloud sync: mirrors state, availability, events and schedule runs to any MQTT cloud through a
// durable outbox, and takes remote commands. Off unless configured; the core never imports it.

import { createHash } from 'node:crypto';
import { CircuitState } from 'cockatiel';
import { Hono } from 'hono';
import { z } from 'zod';
import { errors, jsonResponse, op } from '../../api/openapi-helpers.js';
import { type ApiEnv, requireRight } from '../../api/route-module.js';
import type { HearthPlugin } from '../plugin.js';
import { type CloudSyncConfig, CloudSyncConfigSchema } from './config.js';
import { createDrainer } from './drainer.js';
import { handleRemoteCommands } from './remote-commands.js';

const OWNER = 'cloud-sync';

/**
 * The cloud session's client id, the same at every start of this hub (so its persistent session,
 * and what the cloud queued in it, is found again): derived from the hub's name and topic prefix,
 * 23 characters, the longest every MQTT 3.1.1 broker must accept.
 */
export function cloudClientId(hubName: string, prefix: string): string {
  return `hearth-${createHash('sha256').update(`${hubName}\0${prefix}`).digest('hex').slice(0, 16)}`;
}

export const CloudStatusSchema = z.object({
  state: z.string(),
  circuit: z.enum(['closed', 'open', 'half-open', 'isolated']),
  queueDepth: z.number(),
  oldestAgeSeconds: z.number().nullable(),
  sent: z.number(),
  retried: z.number(),
  dropped: z.record(z.string(), z.number()),
  lastError: z.string().nullable(),
});

const circuitName = (s: CircuitState) =>
  (
    ({
      [CircuitState.Closed]: 'closed',
      [CircuitState.Open]: 'open',
      [CircuitState.HalfOpen]: 'half-open',
      [CircuitState.Isolated]: 'isolated',
    }) as const
  )[s];

export const plugin: HearthPlugin<typeof CloudSyncConfigSchema> = {
  name: 'cloud-sync',
  configSchema: CloudSyncConfigSchema,
  create(ctx, config: CloudSyncConfig) {
    const log = ctx.log;
    const prefix = config.topicPrefix ?? `hearth/${ctx.hubName.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
    const droppedCounter = ctx.metrics.counter(
      'hearth_cloud_outbox_dropped_total',
      'Outbox rows dropped by the bound (states only)',
    );
    const outbox = ctx.openOutbox(config.maxQueue, (kind, n) => {
      droppedCounter.inc({ kind }, n);
      log.warn(
        { kind, n, maxQueue: config.maxQueue },
        'cloud outbox full: oldest states dropped (events are kept)',
      );
    });
    const drainer = createDrainer(
      config,
      outbox,
      prefix,
      config.clientId ?? cloudClientId(ctx.hubName, prefix),
      log,
    );
    drainer.onClient((client) =>
      handleRemoteCommands(client, prefix, config.allow.capabilities, ctx.commands, log),
    );
    const add = (kind: Parameters<typeof outbox.add>[0], deviceId: string, data: unknown) => {
      outbox.add(kind, deviceId, data, ctx.clock.now());
      drainer.wake();
    };
    const status = () => {
      const s = drainer.status();
      const oldest = outbox.oldestAt();
      return {
        state: s.state,
        circuit: circuitName(drainer.circuit()),
        queueDepth: outbox.depth(),
        oldestAgeSeconds: oldest === null ? null : Math.round((ctx.clock.now() - oldest) / 1000),
        sent: s.sent,
        retried: s.retried,
        dropped: { ...outbox.dropped },
        lastError: s.lastError,
      };
    };

    const app = new Hono<ApiEnv>();
    app.get('/', (c) => {
      requireRight(c, 'hub.manage');
      return c.json(status());
    });

    return {
      apiModules: [
        {
          basePath: '/api/v1/cloud',
          app,
          openapi: {
            '/api/v1/cloud': {
              get: op(
                'Cloud sync status',
                'cloud',
                {
                  '200': jsonResponse('status', CloudStatusSchema),
                  ...errors(),
                },
                { right: 'hub.manage' },
              ),
            },
          },
        },
      ],
      start() {
        ctx.bus.on('device.state', OWNER, ({ deviceId, state }) => add('state', deviceId, state));
        ctx.bus.on('device.availability', OWNER, ({ deviceId, online, at }) =>
          add('availability', deviceId, { online, at }),
        );
        ctx.bus.on('device.event', OWNER, ({ deviceId, event }) => add('event', deviceId, event));
        ctx.bus.on('schedule.ran', OWNER, (run) => add('schedule-run', run.deviceId, run));
        ctx.metrics.gauge('hearth_cloud_outbox_depth', 'Changes waiting for the cloud', () => outbox.depth());
        ctx.metrics.gauge(
          'hearth_cloud_outbox_oldest_age_seconds',
          'Age of the oldest waiting change',
          () => status().oldestAgeSeconds ?? 0,
        );
        ctx.metrics.gauge(
          'hearth_cloud_sent_total',
          'Changes the cloud acknowledged (PUBACK)',
          () => drainer.status().sent,
        );
        ctx.metrics.gauge(
          'hearth_cloud_retried_total',
          'Changes sent again after a lost connection',
          () => drainer.status().retried,
        );
        ctx.metrics.gauge('hearth_cloud_circuit_open', '1 while the circuit breaker is open', () =>
          drainer.circuit() === CircuitState.Open ? 1 : 0,
        );
        // Not awaited: a slow, refusing or silent cloud never delays the hub.
        drainer.start();
      },
      async stop() {
        ctx.bus.removeOwner(OWNER);
        outbox.flush();
        await drainer.stop();
      },
      health() {
        const s = status();
        return { ok: true, detail: s };
      },
    };
  },
};
