import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findImportCycles, findLayerViolations } from './layering.js';

const root = join(import.meta.dirname, '..');
const fixture = join(import.meta.dirname, 'fixtures', 'layering-bad');

describe('layering', () => {
  it('shared/ imports neither side; hub/ and devices/ never import each other, bench/ or test/; infra, store and core import only the rooms below them', () => {
    expect(findLayerViolations(root)).toEqual([]);
  });

  it('no import cycles between files of hub/, devices/ and shared/', () => {
    expect(findImportCycles(root)).toEqual([]);
  });

  it('catches each kind of bad import in a fixture tree', () => {
    const rules = findLayerViolations(fixture)
      .map((v) => `${v.file} → ${v.imported}: ${v.rule}`)
      .sort();
    expect(rules).toEqual(
      [
        `${join('devices', 'firmware.ts')} → ../hub/internal.js: devices/ must not import hub/`,
        `${join('hub', 'uses-device.ts')} → ../bench/probe.js: hub/ must not import bench/`,
        `${join('hub', 'uses-device.ts')} → ../devices/firmware.js: hub/ must not import devices/`,
        `${join('shared', 'contract.ts')} → ../hub/internal.js: shared/ must not import hub/`,
        `${join('hub', 'core', 'uses-api.ts')} → ../api/route.js: hub/core/ may import only core, infra, types of store (and shared/)`,
        `${join('hub', 'core', 'uses-api.ts')} → ../store/repo.js: hub/core/ may import only core, infra, types of store (and shared/)`,
        `${join('hub', 'store', 'uses-core.ts')} → ../core/service.js: hub/store/ may import only store, infra (and shared/)`,
      ].sort(),
    );
    expect(findImportCycles(fixture)).toEqual([[join('hub', 'cycle-a.ts'), join('hub', 'cycle-b.ts')]]);
  });
});
