// Loads the plugins named in config.plugins (and only those: the core imports none of them),
// validates each one's config with its own schema, and isolates failures: a plugin that cannot
// load, has a bad config or throws while starting is logged and skipped; the hub carries on.

import type { ApiUnit } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import { createOutbox } from '../store/outbox.js';
import type { HearthPlugin, PluginInstance } from './plugin.js';

/** Known plugins, imported only when configured. */
const catalog: Record<string, () => Promise<{ plugin: HearthPlugin }>> = {
  'cloud-sync': () => import('./cloud-sync/index.js'),
};

export function loadPlugins(ctx: CoreContext): ApiUnit[] {
  const log = ctx.log.child({ module: 'plugins' });
  return Object.entries(ctx.config.plugins).map(([name, raw]): ApiUnit => {
    let instance: PluginInstance | undefined;
    let failure: string | undefined;
    const apiModules: NonNullable<ApiUnit['apiModules']> = [];
    return {
      name,
      apiModules,
      async start() {
        if (
          raw === false ||
          (typeof raw === 'object' && raw !== null && (raw as { enabled?: unknown }).enabled === false)
        )
          return;
        const load = catalog[name];
        if (!load) {
          failure = `unknown plugin "${name}" (known: ${Object.keys(catalog).join(', ')})`;
          log.error({ plugin: name }, failure);
          return;
        }
        try {
          const { plugin } = await load();
          const config = plugin.configSchema.safeParse(raw);
          if (!config.success) {
            failure = `invalid config: ${config.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
            log.error({ plugin: name }, `plugin skipped: ${failure}`);
            return;
          }
          instance = plugin.create(
            {
              hubName: ctx.config.hubName,
              bus: ctx.bus,
              commands: ctx.commands,
              registry: ctx.registry,
              messaging: ctx.messaging,
              openOutbox: (maxQueue, onDrop) => createOutbox(ctx.store.sqlite, maxQueue, onDrop),
              log: ctx.log.child({ module: name }),
              metrics: ctx.metrics,
              clock: ctx.clock,
            },
            config.data,
          );
          apiModules.push(...(instance.apiModules ?? []));
          await instance.start();
          log.info({ plugin: name }, 'plugin started');
        } catch (err) {
          failure = (err as Error).message;
          log.error({ err, plugin: name }, 'plugin failed to start; the hub carries on without it');
          instance = undefined;
        }
      },
      async stop() {
        await instance?.stop();
        ctx.bus.removeOwner(name);
      },
      health() {
        if (failure) return { ok: false, detail: { state: 'failed', error: failure } };
        return instance?.health?.() ?? { ok: true, detail: { state: 'off' } };
      },
    };
  });
}
