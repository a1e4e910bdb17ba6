import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLayerViolations } from './layering.js';

const root = join(import.meta.dirname, '..');

describe('layering', () => {
  it('shared/ imports nothing from hub/ or devices/, and devices/ nothing from hub/', () => {
    expect(findLayerViolations(root)).toEqual([]);
  });

  it('catches a deliberately bad import (fixture tree)', () => {
    const violations = findLayerViolations(join(import.meta.dirname, 'fixtures', 'layering-bad'));
    expect(violations).toEqual([
      {
        file: join('shared', 'contract.ts'),
        imported: '../hub/internal.js',
        rule: 'shared/ must not import hub/',
      },
      {
        file: join('devices', 'firmware.ts'),
        imported: '../hub/internal.js',
        rule: 'devices/ must not import hub/',
      },
    ]);
  });
});
