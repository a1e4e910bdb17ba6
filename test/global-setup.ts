import { execFileSync } from 'node:child_process';

// Tests that spawn `hearth` processes run the transpiled dist/, so build it once per run.
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
}
