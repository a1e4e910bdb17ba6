// Transpiles the TypeScript sources to dist/ (esbuild, per file: fast enough to run before every
// test run and every `npm start`) and bundles the phone app. Type checking is `npm run typecheck`.
import { existsSync, readdirSync, statSync } from 'node:fs';
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
  await build({
    entryPoints: [webEntry],
    outfile: join(root, 'dist/web/app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'safari14'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  });
}

const { writeFileSync } = await import('node:fs');
writeFileSync(marker, new Date().toISOString());
if (!process.argv.includes('--quiet')) {
  console.log(
    `built ${sources.length} modules into ${relative(process.cwd(), join(root, 'dist')) || 'dist'}`,
  );
}
