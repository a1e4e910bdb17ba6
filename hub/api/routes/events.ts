// GET /api/v1/events: Server-Sent Events of every change the phone app shows live. Each bus event
// becomes an SSE event of the same name with its payload as JSON; a comment every 15 s keeps
// proxies and phones from dropping an idle stream.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { HubEventName } from '../../core/bus.js';
import type { CoreContext } from '../../core/context.js';
import { type AuthInfo, can, canSeeDevice } from '../../core/rights.js';
import { errors, op } from '../openapi-helpers.js';
import { type ApiEnv, type ApiModule, requireRight } from '../route-module.js';

export const STREAMED_EVENTS: HubEventName[] = [
  'device.state',
  'device.availability',
  'device.info',
  'device.added',
  'device.updated',
  'device.removed',
  'device.event',
  'command.updated',
  'schedule.ran',
  'provision.discovered',
  'provision.adopted',
];

/** Whether a stream opened with `auth` carries this event: only devices and features it may see. */
function mayReceive(auth: AuthInfo, name: HubEventName, payload: object): boolean {
  if (name === 'provision.discovered' || name === 'provision.adopted') return can(auth, 'devices.adopt');
  if (name === 'schedule.ran' && !can(auth, 'schedules.read')) return false;
  const deviceId = (payload as { deviceId?: unknown }).deviceId;
  return typeof deviceId !== 'string' || canSeeDevice(auth, deviceId);
}

export function createEventsModule(ctx: CoreContext): ApiModule {
  const app = new Hono<ApiEnv>();
  const gauge = { open: 0 };
  ctx.metrics.gauge('hearth_sse_clients', 'Open /api/v1/events streams', () => gauge.open);
  let nextId = 0;

  app.get('/', (c) => {
    requireRight(c, 'devices.read');
    return streamSSE(c, async (stream) => {
      const owner = `sse-${++nextId}`;
      gauge.open++;
      let closed = false;
      const queue: Array<{ event: string; data: string }> = [];
      let wake: (() => void) | undefined;
      const auth = c.get('auth');
      for (const name of STREAMED_EVENTS) {
        ctx.bus.on(name, owner, (payload) => {
          if (!mayReceive(auth, name, payload)) return;
          // Bounded: a phone that stopped reading is cut off rather than growing the hub's memory.
          if (queue.length >= 1000) {
            closed = true;
            stream.abort();
            return;
          }
          queue.push({ event: name, data: JSON.stringify(payload) });
          wake?.();
        });
      }
      // A revoked or changed token's stream ends at once (checked per request, it would go on
      // forever with the old rights); the app reconnects with the new ones.
      ctx.bus.on('token.changed', owner, (changed) => {
        if (changed.tokenId !== auth.tokenId) return;
        closed = true;
        wake?.();
      });
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ at: ctx.clock.now() }) });
      const keepAlive = setInterval(() => {
        stream.write(': keep-alive\n\n').catch(() => undefined);
      }, 15_000);
      try {
        while (!closed) {
          const next = queue.shift();
          if (next) {
            await stream.writeSSE(next);
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      } finally {
        clearInterval(keepAlive);
        ctx.bus.removeOwner(owner);
        gauge.open--;
      }
    });
  });

  return {
    basePath: '/api/v1/events',
    app,
    openapi: {
      '/api/v1/events': {
        get: op(
          'Live changes as Server-Sent Events, only of what the token may see (event names: hello, ' +
            STREAMED_EVENTS.join(', ') +
            ')',
          'events',
          {
            '200': {
              description: 'an event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(),
          },
          { right: 'devices.read' },
        ),
      },
    },
  };
}
