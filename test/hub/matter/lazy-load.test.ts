// matter.js is heavy (≈140 MB on disk, tens of MB of heap): a hub with Matter off must not load
// it. Walks the static imports reachable from the hub's entry points (dynamic import() and
// `import type` do not load anything at start) and checks that none reaches @matter/*.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const staticImport = /^\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(staticImport)) {
      const spec = m[1] as string;
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = resolve(file, '..', spec);
      const target = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base].find(existsSync);
      if (target) visit(target);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('Matter is loaded only when enabled', () => {
  it('nothing the hub imports at start reaches matter.js', () => {
    for (const entry of ['hub/hub.ts', 'hub/cli/start.ts', 'bin/hearth.ts']) {
      const { files, packages } = reachable(join(root, entry));
      expect(files.has(join(root, 'hub/matter/index.ts')) || entry === 'bin/hearth.ts').toBe(true);
      expect([...packages].filter((p) => p.startsWith('@matter/'))).toEqual([]);
    }
  });

  it('the bridge itself does import it (so the walk would see it)', () => {
    const { packages } = reachable(join(root, 'hub/matter/bridge.ts'));
    expect([...packages].some((p) => p.startsWith('@matter/'))).toBe(true);
  });
});
