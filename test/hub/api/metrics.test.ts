import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';

// What an operator graphs to watch the hub's footprint on a small board (Prometheus names).
describe('/metrics reports the hub process memory', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('resident memory, V8 heap used and reserved, and external memory, in bytes', async () => {
    const text = await (await t.api('/metrics')).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    const rss = value('process_resident_memory_bytes');
    const used = value('nodejs_heap_size_used_bytes');
    const total = value('nodejs_heap_size_total_bytes');
    expect(rss).toBeGreaterThan(10 * 2 ** 20);
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(total);
    expect(total).toBeLessThan(rss);
    expect(value('nodejs_external_memory_bytes')).toBeGreaterThan(0);
  });
});
