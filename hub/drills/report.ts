// What a drill found: a list of named checks (each passed or not, with the evidence) and the
// figures it measured. Printed as a pass/fail report, or as JSON for scripts and tests.

export interface DrillCheck {
  what: string;
  ok: boolean;
  detail: string;
}

export interface DrillReport {
  scenario: string;
  passed: boolean;
  seconds: number;
  checks: DrillCheck[];
  figures: Record<string, number>;
}

/** Collects checks while a scenario runs. */
export class DrillChecks {
  readonly checks: DrillCheck[] = [];
  readonly figures: Record<string, number> = {};

  check(what: string, ok: boolean, detail: string): boolean {
    this.checks.push({ what, ok, detail });
    return ok;
  }

  figure(name: string, value: number): void {
    this.figures[name] = Math.round(value * 100) / 100;
  }
}

export function formatReport(report: DrillReport): string {
  const lines = [
    `drill ${report.scenario}: ${report.passed ? 'PASS' : 'FAIL'} (${report.seconds.toFixed(1)} s)`,
    ...report.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.what}: ${c.detail}`),
  ];
  const figures = Object.entries(report.figures);
  if (figures.length > 0) {
    lines.push('  figures:');
    for (const [name, value] of figures) lines.push(`    ${name} = ${value}`);
  }
  return lines.join('\n');
}
