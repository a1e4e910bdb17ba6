// Cold start: spawn → API and MQTT serving (runtime.json written after both listen), and idle RSS.

import { startHubProcess } from '../hub/drills/hub-process.js';
import { type BenchRow, check } from './lib/report.js';
import { round, summarize } from './lib/stats.js';

export async function benchColdStart(runs = 5): Promise<BenchRow[]> {
  const times: number[] = [];
  let idleRss = 0;
  for (let i = 0; i < runs; i++) {
    const hub = await startHubProcess();
    const res = await fetch(`${hub.baseUrl}/api/v1/hub`);
    if (res.status !== 200) throw new Error(`hub answered ${res.status}`);
    times.push(hub.startMs);
    // A first start makes the CA and leaf in a worker thread that ends 0.5 s after its last job
    // (hub/tls/issue-off-thread.ts): idle is read once it has.
    if (i === runs - 1) {
      await new Promise((r) => setTimeout(r, 1500));
      idleRss = hub.rssMb();
    }
    await hub.cleanup();
  }
  const s = summarize(times);
  return [
    {
      bench: 'cold start',
      figure: 'spawn → serving, p50',
      value: round(s.p50 / 1000, 3),
      unit: 's',
      target: '<= 1.0',
      pass: check(s.p50 / 1000, '<=', 1.0),
    },
    {
      bench: 'cold start',
      figure: 'spawn → serving, max',
      value: round(s.max / 1000, 3),
      unit: 's',
      target: '',
      pass: null,
    },
    {
      bench: 'cold start',
      figure: 'idle RSS, no devices, 1.5 s after a first start',
      value: idleRss,
      unit: 'MB',
      target: '',
      pass: null,
    },
  ];
}
