// Transpiles the TypeScript sources to dist/ (esbuild, per file: fast enough to run before every
// test run and every `npm start`) and bundles the phone app. Type checking is `npm run typecheck`.
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const sourceDirs = ['bin', 'hub', 'devices', 'shared', 'bench'];
const webEntry = join(root, 'hub/web/app/main.tsx');

function listSources(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'app' && dir.endsWith('web') ? [] : listSources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const sources = sourceDirs.flatMap((d) => listSources(join(root, d)));
const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
const marker = join(root, 'dist/.built');

if (process.argv.includes('--if-stale') && existsSync(marker) && statSync(marker).mtimeMs >= newestSource) {
  process.exit(0);
}

await build({
  entryPoints: sources,
  outdir: join(root, 'dist'),
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});

if (existsSync(webEntry)) {
  // The phone app as ES modules split by screen: the entry holds what the first screens need
  // (list, device, pairing); other screens are chunks loaded when opened. Names carry a content
  // hash, so the hub serves them as immutable; assets.json says which file is the entry and which
  // chunks it imports statically (the shell preloads those with it).
  const outdir = join(root, 'dist/web/assets');
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: webEntry },
    outdir,
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'safari14'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const name = (path) => relative(outdir, join(root, path));
  const [entry] = Object.keys(outputs).filter((k) => outputs[k].entryPoint);
  const preload = new Set();
  const walk = (path) => {
    for (const i of outputs[path].imports) {
      if (i.kind !== 'import-statement' || preload.has(i.path)) continue;
      preload.add(i.path);
      walk(i.path);
    }
  };
  walk(entry);
  writeFileSync(
    join(root, 'dist/web/assets.json'),
    JSON.stringify({ entry: name(entry), preload: [...preload].map(name) }, null, 2),
  );
}

writeFileSync(marker, new Date().toISOString());
if (!process.argv.includes('--quiet')) {
  console.log(
    `built ${sources.length} modules into ${relative(process.cwd(), join(root, 'dist')) || 'dist'}`,
  );
}
