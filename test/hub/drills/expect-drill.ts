// Runs a drill the way `hearth drill` does, smaller, and fails with the whole report when any
// check failed or an expected check is missing.
import { expect } from 'vitest';
import { type DrillSize, runDrill } from '../../../hub/drills/drills.js';
import type { LabOptions } from '../../../hub/drills/lab.js';
import { type DrillReport, formatReport } from '../../../hub/drills/report.js';

export async function expectDrillPasses(
  name: string,
  size: Partial<DrillSize>,
  expectedChecks: string[],
  lab?: LabOptions,
): Promise<DrillReport> {
  const report = await runDrill(name, size, lab);
  const text = formatReport(report);
  expect(
    report.checks.map((c) => c.what),
    text,
  ).toEqual(expect.arrayContaining(expectedChecks));
  expect(
    report.checks.filter((c) => !c.ok),
    text,
  ).toEqual([]);
  expect(report.passed, text).toBe(true);
  return report;
}
