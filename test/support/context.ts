// A hub context for unit tests of one part: the real config parser, a real SQLite file in
// `dataDir`, the real write batcher, bus and metrics, a silent logger and the system clock.
import { join } from 'node:path';
import { createEventBus } from '../../hub/core/bus.js';
import type { HubContext } from '../../hub/core/context.js';
import { systemClock } from '../../hub/infra/clock.js';
import { loadConfig } from '../../hub/infra/config.js';
import { createLogger } from '../../hub/infra/log.js';
import { createMetrics } from '../../hub/infra/metrics.js';
import { openStore } from '../../hub/store/db.js';
import { createRepositories } from '../../hub/store/repositories.js';
import { createWriteBatcher } from '../../hub/store/write-batcher.js';

export function testContext(flags: { dataDir: string } & Record<string, unknown>): HubContext {
  const config = loadConfig({ flags: { logLevel: 'silent', ...flags }, env: {} });
  const log = createLogger('silent');
  const store = openStore(join(flags.dataDir, 'hearth.db'));
  const writes = createWriteBatcher(store.sqlite, log);
  return {
    config,
    log,
    bus: createEventBus(log),
    metrics: createMetrics(),
    clock: systemClock,
    store,
    repos: createRepositories(store, systemClock),
    writes,
  };
}
