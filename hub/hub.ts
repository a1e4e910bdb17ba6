// The composition root: builds every unit in order and stops them in reverse. Nothing here runs
// at import; `createHub(config)` only wires, `start()` does the work.
import { mkdirSync } from 'node:fs';
import { createEventBus, type EventBus } from './bus.js';
import type { Config } from './config.js';
import { type Clock, type HubContext, systemClock, type Unit } from './context.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { removeRuntimeInfo, writeRuntimeInfo } from './runtime-file.js';
import { openStore, type Store, storePath } from './store/db.js';
import { hearthVersion } from './version.js';

export interface HubOptions {
  log?: Logger;
  clock?: Clock;
}

export interface Hub {
  readonly config: Config;
  readonly log: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Ports actually bound (after start). */
  readonly ports: { http: number; mqtt: number };
  /** The wired context, for tests and the CLI (after start). */
  readonly context: HubContext;
}

export function createHub(config: Config, options: HubOptions = {}): Hub {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const bus: EventBus = createEventBus(log.child({ module: 'bus' }));
  const metrics: Metrics = createMetrics();
  const started: Unit[] = [];
  let context: HubContext | undefined;
  const ports = { http: 0, mqtt: 0 };

  async function startUnit(unit: Unit): Promise<void> {
    const t0 = performance.now();
    await unit.start();
    started.push(unit);
    log.debug({ unit: unit.name, ms: Math.round(performance.now() - t0) }, 'unit started');
  }

  return {
    config,
    log,
    ports,
    get context() {
      if (!context) throw new Error('hub not started');
      return context;
    },
    async start() {
      mkdirSync(config.dataDir, { recursive: true });
      let store: Store | undefined;
      await startUnit({
        name: 'store',
        start: () => {
          store = openStore(storePath(config.dataDir));
        },
        stop: () => store?.close(),
      });
      context = { config, log, bus, metrics, clock, store: store as Store };
      writeRuntimeInfo(config.dataDir, {
        pid: process.pid,
        startedAt: clock.now(),
        bind: config.bind,
        httpPort: ports.http,
        mqttPort: ports.mqtt,
        hubId: 'hearth',
        version: hearthVersion(),
      });
      log.info({ dataDir: config.dataDir, http: ports.http, mqtt: ports.mqtt }, 'hub started');
    },
    async stop() {
      while (started.length > 0) {
        const unit = started.pop() as Unit;
        try {
          await unit.stop();
        } catch (err) {
          log.error({ err, unit: unit.name }, 'unit failed to stop cleanly');
        }
      }
      removeRuntimeInfo(config.dataDir);
      log.info('hub stopped');
    },
  };
}
