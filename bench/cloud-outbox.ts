// Cloud outbox: drain rate unthrottled to a real second broker (aedes on loopback), and the hub
// process's memory with 100k changes queued (they live in SQLite, not in memory).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePort, startCloudBroker } from '../hub/drills/cloud-broker.js';
import { CloudSyncConfigSchema } from '../hub/plugins/cloud-sync/config.js';
import { createDrainer } from '../hub/plugins/cloud-sync/drainer.js';
import { openStore, storePath } from '../hub/store/db.js';
import { createOutbox } from '../hub/store/outbox.js';
import { type BenchRow, check } from './lib/report.js';
import { round } from './lib/stats.js';

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

export async function benchCloudOutbox(count = 100_000): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-outbox-'));
  const store = openStore(storePath(dir));
  try {
    const outbox = createOutbox(store.sqlite, count * 2, () => undefined);
    global.gc?.();
    const before = rssMb();
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      outbox.add('event', `dev-${i % 1000}`, { type: 'button', ts: Date.now(), button: `b${i}` }, Date.now());
      if (i % 5000 === 4999) outbox.flush();
    }
    outbox.flush();
    const enqueueMs = performance.now() - t0;
    global.gc?.();
    const after = rssMb();
    const heapGrowth = Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
    const port = await freePort();
    const cloud = await startCloudBroker(port);
    const config = CloudSyncConfigSchema.parse({ url: `mqtt://127.0.0.1:${port}`, ratePerSecond: 0 });
    const drainer = createDrainer(config, outbox, 'hearth/bench', 'hearth-bench', pino({ level: 'silent' }));
    const d0 = performance.now();
    drainer.start();
    while (outbox.depth() > 0) await new Promise((r) => setTimeout(r, 20));
    const drainMs = performance.now() - d0;
    await drainer.stop();
    await cloud.close();
    const rate = Math.round(count / (drainMs / 1000));
    return [
      {
        bench: 'cloud outbox',
        figure: `drain rate, ${count} changes, unthrottled`,
        value: rate,
        unit: 'changes/s',
        target: '>= 5000',
        pass: check(rate, '>=', 5000),
      },
      {
        bench: 'cloud outbox',
        figure: `enqueue ${count} changes`,
        value: round(enqueueMs / 1000, 2),
        unit: 's',
        target: '',
        pass: null,
      },
      // The queue lives in SQLite: retained JS memory stays flat; RSS keeps the allocator's high-water mark.
      {
        bench: 'cloud outbox',
        figure: `retained heap growth with ${count} queued`,
        value: heapGrowth,
        unit: 'MB',
        target: 'flat (<= 5)',
        pass: check(heapGrowth, '<=', 5),
      },
      {
        bench: 'cloud outbox',
        figure: `RSS growth while enqueueing ${count}`,
        value: after - before,
        unit: 'MB',
        target: '',
        pass: null,
      },
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
