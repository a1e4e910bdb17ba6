// The layering rules, as code, used by the architecture test against the real tree and against a
// deliberately bad fixture:
// - shared/ imports nothing from hub/ or devices/;
// - devices/ and hub/ never import each other;
// - nothing in hub/, devices/ or shared/ imports bench/ or test/;
// - no import cycles between files of hub/, devices/ and shared/;
// - inside hub/, each foundation room imports only the rooms below it: infra (config, log,
//   metrics) imports no other room; the store imports only infra (so no core service); the core
//   imports only infra, and the store only as types (its ports), so no HTTP, plugin, broker or
//   feature code.
import { type Dirent, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export interface LayerViolation {
  file: string;
  imported: string;
  rule: string;
}

const PRODUCT = ['shared', 'devices', 'hub'];
const forbidden: Record<string, string[]> = {
  shared: ['hub', 'devices', 'bench', 'test'],
  devices: ['hub', 'bench', 'test'],
  hub: ['devices', 'bench', 'test'],
};

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

/** Relative imports of one file, as specifiers and as resolved source paths. */
function relativeImports(file: string): Array<{ spec: string; target: string; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8');
  const out: Array<{ spec: string; target: string; typeOnly: boolean }> = [];
  for (const m of text.matchAll(importPattern)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec?.startsWith('.')) continue;
    const resolved = resolve(file, '..', spec);
    // ESM imports name the built file (.js); the source is .ts or .tsx beside it.
    const candidates = [resolved, resolved.replace(/\.js$/, '.ts'), resolved.replace(/\.js$/, '.tsx')];
    const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0]);
    out.push({ spec, target: candidates.find((c) => existsSync(c)) ?? resolved, typeOnly });
  }
  return out;
}

/** The hub's foundation rooms: which other rooms of hub/ each may import (shared/ always). */
const foundation: Record<string, { may: string[]; typesFrom?: string[] }> = {
  infra: { may: ['infra'] },
  store: { may: ['store', 'infra'] },
  core: { may: ['core', 'infra'], typesFrom: ['store'] },
};

function hubRoom(root: string, path: string): string | undefined {
  const parts = relative(root, path).split(sep);
  return parts[0] === 'hub' && parts.length > 2 ? parts[1] : undefined;
}

function foundationViolations(root: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const [room, rule] of Object.entries(foundation)) {
    for (const file of sourceFiles(join(root, 'hub', room))) {
      for (const { spec, target, typeOnly } of relativeImports(file)) {
        const top = relative(root, target).split(sep)[0];
        if (top !== 'hub') continue;
        const other = hubRoom(root, target) ?? '(hub root)';
        if (rule.may.includes(other) || (typeOnly && rule.typesFrom?.includes(other))) continue;
        const allowed = [...rule.may, ...(rule.typesFrom ?? []).map((r) => `types of ${r}`)];
        violations.push({
          file: relative(root, file),
          imported: spec,
          rule: `hub/${room}/ may import only ${allowed.join(', ')} (and shared/)`,
        });
      }
    }
  }
  return violations;
}

export function findLayerViolations(root: string): LayerViolation[] {
  const violations: LayerViolation[] = foundationViolations(root);
  for (const [layer, banned] of Object.entries(forbidden)) {
    for (const file of sourceFiles(join(root, layer))) {
      for (const { spec, target } of relativeImports(file)) {
        const top = relative(root, target).split(sep)[0] ?? '';
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

/** Every import cycle between files of the product folders, each as the files in order. */
export function findImportCycles(root: string): string[][] {
  const graph = new Map<string, string[]>();
  for (const layer of PRODUCT)
    for (const file of sourceFiles(join(root, layer)))
      graph.set(
        file,
        relativeImports(file)
          .map((i) => i.target)
          .filter((t) => t !== file),
      );
  // Tarjan's strongly connected components: any component of more than one file is a cycle.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(relative(root, w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return cycles;
}
