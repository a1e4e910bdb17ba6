// The plugin interface: anything optional (cloud sync today) meets it, and the hub core knows
// plugins only through it. A plugin's factory does no work; start() must return promptly (a
// slow or absent remote never delays the hub), and a failing plugin is logged and skipped.
import type { z } from 'zod';
import type { ApiModule } from '../api/route-module.js';
import type { EventBus } from '../core/bus.js';
import type { CommandService, DeviceRegistry, HubMessaging } from '../core/context.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/log.js';
import type { Metrics } from '../infra/metrics.js';
import type { Outbox } from '../store/outbox.js';

export interface PluginContext {
  hubName: string;
  bus: EventBus;
  commands: CommandService;
  registry: DeviceRegistry;
  messaging: HubMessaging;
  /** Opens the hub's durable outbox (plugins get storage of their own, never the raw database). */
  openOutbox(maxQueue: number, onDrop: (kind: string, n: number) => void): Outbox;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
}

export interface PluginInstance {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  health?(): { ok: boolean; detail?: Record<string, unknown> };
  readonly apiModules?: ApiModule[];
}

export interface HearthPlugin<S extends z.ZodType = z.ZodType> {
  name: string;
  configSchema: S;
  create(ctx: PluginContext, config: z.infer<S>): PluginInstance;
}
