// The layering rule, as code: shared/ imports nothing from hub/ or devices/; devices/ never
// imports hub/. Used by the architecture test against the real tree and against a bad fixture.
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export interface LayerViolation {
  file: string;
  imported: string;
  rule: string;
}

const forbidden: Record<string, string[]> = { shared: ['hub', 'devices'], devices: ['hub'] };

function sourceFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

const importPattern =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

export function findLayerViolations(root: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const [layer, banned] of Object.entries(forbidden)) {
    for (const file of sourceFiles(join(root, layer))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importPattern)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (!spec?.startsWith('.')) continue;
        const target = relative(root, resolve(file, '..', spec));
        const top = target.split(sep)[0] ?? '';
        if (banned.includes(top)) {
          violations.push({
            file: relative(root, file),
            imported: spec,
            rule: `${layer}/ must not import ${top}/`,
          });
        }
      }
    }
  }
  return violations;
}
