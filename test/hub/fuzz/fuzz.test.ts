// A short fuzz run (the bench runs ≥ 100k inputs): hostile MQTT payloads on a device's own topics,
// publishes outside its rights and requests to every documented HTTP operation, against a real hub.
import { beforeAll, describe, expect, it } from 'vitest';
import { type FuzzReport, runFuzz } from '../../../bench/fuzz/run-fuzz.js';

const INPUTS = 3000;
// A fixed seed keeps the run reproducible; `npm run fuzz` draws a new one every time.
const SEED = 20261124;

describe('fuzzing the hub with generated MQTT payloads and HTTP requests', () => {
  let report: FuzzReport;
  beforeAll(async () => {
    report = await runFuzz({ inputs: INPUTS, seed: SEED });
  }, 120_000);
  it('finds no 5xx, undocumented status, row changed by a refused input, crash or unhandled rejection', () => {
    const findings = report.findings.map(
      (f) => `${f.channel} (${f.count}×): ${f.problem}\n  input: ${f.input}`,
    );
    expect(findings, `seed ${SEED}:\n${findings.join('\n')}`).toEqual([]);
    expect(report.inputs).toBe(INPUTS);
  });

  it('reaches both sides of every device channel: some payloads accepted, some refused', () => {
    for (const channel of ['info', 'state', 'ack', 'event', 'status']) {
      const tally = report.channels[`mqtt ${channel}`];
      expect(tally?.refused, channel).toBeGreaterThan(0);
      expect(tally?.accepted, channel).toBeGreaterThan(0);
    }
    expect(report.channels['mqtt outside own topics']?.refused).toBeGreaterThan(0);
  });

  it('exercises every operation of the OpenAPI document, with bodies that get past validation', () => {
    const http = Object.entries(report.channels).filter(([c]) => !c.startsWith('mqtt'));
    expect(http.length).toBeGreaterThan(20);
    for (const [op, tally] of http) expect(tally.inputs, op).toBeGreaterThan(0);
    for (const op of [
      'POST /api/v1/devices/{id}/commands',
      'POST /api/v1/schedules',
      'PATCH /api/v1/devices/{id}',
    ])
      expect(report.channels[op]?.accepted, op).toBeGreaterThan(0);
  });
});
