import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HUB_MALLOC_TUNABLES, HUB_NODE_FLAGS, hubEnv } from '../../../hub/infra/node-flags.js';
import { renderUnit } from '../../../hub/ops/systemd-unit.js';

const root = join(import.meta.dirname, '../../..');
const flags = HUB_NODE_FLAGS.join(' ');

describe('the hub’s V8 flags', () => {
  it('are accepted by this node (a node that dropped one would refuse to start the hub)', () => {
    const out = execFileSync(process.execPath, [...HUB_NODE_FLAGS, '-p', '"started"'], { encoding: 'utf8' });
    expect(out.trim()).toBe('started');
  });

  it('are passed by every way of starting the hub: npm start, the hearth command, the systemd unit', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    expect(pkg.scripts.start).toContain(
      `GLIBC_TUNABLES=${HUB_MALLOC_TUNABLES} node ${flags} dist/bin/hearth.js start`,
    );
    const shebang = readFileSync(join(root, 'bin/hearth.ts'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S GLIBC_TUNABLES=${HUB_MALLOC_TUNABLES} node ${flags}`);
    const unit = renderUnit({
      user: 'hearth',
      dataDir: '/var/lib/hearth',
      node: '/usr/bin/node',
      bin: '/opt/hearth/dist/bin/hearth.js',
      httpPort: 8080,
      mqttPort: 1883,
    });
    expect(unit).toContain(`ExecStart=/usr/bin/node ${flags} /opt/hearth/dist/bin/hearth.js start`);
    expect(unit).toContain(`Environment=GLIBC_TUNABLES=${HUB_MALLOC_TUNABLES}\n`);
  });

  it('add the allocator setting to tunables the caller already set, and keep a threshold they chose', () => {
    expect(hubEnv({}).GLIBC_TUNABLES).toBe(HUB_MALLOC_TUNABLES);
    expect(hubEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      `glibc.malloc.arena_max=2:${HUB_MALLOC_TUNABLES}`,
    );
    const theirs = 'glibc.malloc.mmap_threshold=65536';
    expect(hubEnv({ GLIBC_TUNABLES: theirs }).GLIBC_TUNABLES).toBe(theirs);
  });

  it('is a setting this glibc takes: a freed 64 KiB block goes back to the system at once', () => {
    // 200 blocks of 64 KiB, each followed by a small one that stays: freed, they leave holes in
    // the shared heap that stay resident, unless each had its own mapping. The child says which
    // (V8 frees the buffers' memory in the background, so it looks for up to three seconds: a
    // loaded machine may take a while).
    const probe = `const rss=()=>Number(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1]);
      let big=[]; const small=[];
      for (let i=0;i<200;i++){big.push(Buffer.allocUnsafeSlow(65536).fill(1));small.push(Buffer.allocUnsafeSlow(2048).fill(1));}
      const before=rss(); big=null; gc(); gc();
      let n=0; const t=setInterval(()=>{ const back=before-rss()>6000;
        if (back||++n===300){ clearInterval(t); console.log(back?'returned':'kept'); } },10);`;
    const run = (env: NodeJS.ProcessEnv) =>
      execFileSync(process.execPath, ['--expose-gc', '-e', probe], { encoding: 'utf8', env }).trim();
    expect(run(hubEnv({ PATH: process.env.PATH }))).toBe('returned');
    expect(run({ PATH: process.env.PATH })).toBe('kept');
  });
});
