// GET /api/v1/events: Server-Sent Events of every change the phone app shows live. Each bus event
// becomes an SSE event of the same name with its payload as JSON; a comment every 15 s keeps
// proxies and phones from dropping an idle stream.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { HubEventName } from '../../bus.js';
import type { CoreContext } from '../../context.js';
import { errors, op } from '../openapi-helpers.js';
import type { ApiEnv, ApiModule } from '../route-module.js';

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

export function createEventsModule(ctx: CoreContext): ApiModule {
  const app = new Hono<ApiEnv>();
  const gauge = { open: 0 };
  ctx.metrics.gauge('hearth_sse_clients', 'Open /api/v1/events streams', () => gauge.open);
  let nextId = 0;

  app.get('/', (c) =>
    streamSSE(c, async (stream) => {
      const owner = `sse-${++nextId}`;
      gauge.open++;
      let closed = false;
      const queue: Array<{ event: string; data: string }> = [];
      let wake: (() => void) | undefined;
      for (const name of STREAMED_EVENTS) {
        ctx.bus.on(name, owner, (payload) => {
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
      // A revoked token's stream ends at once (checked per request, it would go on forever).
      const { tokenId } = c.get('auth');
      ctx.bus.on('token.revoked', owner, (revoked) => {
        if (revoked.tokenId !== tokenId) return;
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
    }),
  );

  return {
    basePath: '/api/v1/events',
    app,
    openapi: {
      '/api/v1/events': {
        get: op(
          'Live changes as Server-Sent Events (event names: hello, ' + STREAMED_EVENTS.join(', ') + ')',
          'events',
          {
            '200': {
              description: 'an event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(),
          },
        ),
      },
    },
  };
}
