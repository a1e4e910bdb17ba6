import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HUB_NODE_FLAGS } from '../../../hub/infra/node-flags.js';
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
    expect(pkg.scripts.start).toContain(`node ${flags} dist/bin/hearth.js start`);
    const shebang = readFileSync(join(root, 'bin/hearth.ts'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags}`);
    const unit = renderUnit({
      user: 'hearth',
      dataDir: '/var/lib/hearth',
      node: '/usr/bin/node',
      bin: '/opt/hearth/dist/bin/hearth.js',
      httpPort: 8080,
      mqttPort: 1883,
    });
    expect(unit).toContain(`ExecStart=/usr/bin/node ${flags} /opt/hearth/dist/bin/hearth.js start`);
  });
});
