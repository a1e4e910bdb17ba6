// Schedules: 1000 hub-run schedules due in the same second (the scheduler's own probe, a real hub
// in this process with 50 simulated lights acking over MQTT).

import { type BenchRow, check } from './lib/report.js';
import { measureScheduleLateness } from './lib/schedule-lateness-probe.js';

export async function benchScheduleLateness(): Promise<BenchRow[]> {
  const r = await measureScheduleLateness({ schedules: 1000, devices: 50 });
  return [
    {
      bench: 'schedules',
      figure: '1000 due in one second: handed to the command path, p50',
      value: r.issued.p50,
      unit: 'ms late',
      target: '',
      pass: null,
    },
    {
      bench: 'schedules',
      figure: 'handed to the command path, p99',
      value: r.issued.p99,
      unit: 'ms late',
      target: '<= 50',
      pass: check(r.issued.p99, '<=', 50),
    },
    {
      bench: 'schedules',
      figure: 'received by the device, p99',
      value: r.delivered.p99,
      unit: 'ms late',
      target: '',
      pass: null,
    },
    {
      bench: 'schedules',
      figure: 'double runs / missed',
      value: r.doubles + r.missed,
      unit: 'count',
      target: '0',
      pass: r.doubles + r.missed === 0,
    },
  ];
}
