import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderUnit } from '../../../hub/ops/systemd-unit.js';

const base = {
  user: 'hearth',
  dataDir: '/var/lib/hearth',
  node: process.execPath,
  bin: '/opt/hearth/dist/bin/hearth.js',
  httpPort: 8080,
  mqttPort: 1883,
};

describe('systemd unit', () => {
  it('runs as a dedicated user, restarts on failure and is sandboxed', () => {
    const unit = renderUnit(base);
    for (const line of [
      'User=hearth',
      'Restart=on-failure',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'ReadWritePaths=/var/lib/hearth',
      'CapabilityBoundingSet=',
      'WantedBy=multi-user.target',
    ]) {
      expect(unit).toContain(line);
    }
    expect(unit).toMatch(
      /^ExecStart=\S+ --max-semi-space-size=1 --heap-growing-percent=20 \/opt\/hearth\/dist\/bin\/hearth\.js start --data-dir \/var\/lib\/hearth --http-port 8080 --mqtt-port 1883$/m,
    );
    expect(unit).not.toContain('CAP_NET_BIND_SERVICE');
  });

  it('grants only CAP_NET_BIND_SERVICE when a port below 1024 is asked for', () => {
    expect(renderUnit({ ...base, httpPort: 80 })).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE');
  });

  it('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-unit-'));
    const path = join(dir, 'hearth.service');
    writeFileSync(
      path,
      renderUnit({ ...base, bin: join(import.meta.dirname, '../../../dist/bin/hearth.js') }),
    );
    // Exit 0 and no complaint about our own unit (the user may not exist on this machine).
    const out = execFileSync('systemd-analyze', ['verify', path], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).not.toMatch(/hearth\.service:\d+: /);
  });
});
