// The cloud outage drills (wan-down, cloud-blackhole, dns-fail), smaller than `hearth drill` runs
// them: a real hub process, simulated lights and a feeder, a second broker as the cloud.
import { describe, expect, it } from 'vitest';
import { expectDrillPasses } from './expect-drill.js';

const CLOUD_CHECKS = [
  'the hub noticed the cloud was gone',
  'LAN control unaffected',
  'schedule drill-hub-run ran on time',
  'schedule drill-device-run ran on time',
  'the cloud queue grew',
  'the cloud queue drained',
  'the cloud caught up with every light',
  'the scheduled feed reached the cloud once',
];

describe('cloud outage drills', () => {
  for (const name of ['wan-down', 'cloud-blackhole', 'dns-fail']) {
    it(`${name}: LAN control and schedules carry on; the queue grows and drains after`, async () => {
      const report = await expectDrillPasses(name, { devices: 6, commands: 30 }, CLOUD_CHECKS);
      expect(report.figures['cloud queue at its peak']).toBeGreaterThan(0);
    }, 60_000);
  }
});
