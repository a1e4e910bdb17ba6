// `hearth firmware keygen|build` as a user runs them: the private key is 0600 and never replaced by
// accident, a build verifies with the public key, and bad options exit 2 changing nothing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releasePublicKeyFromPem } from '../../../shared/release-key.js';
import { verifyUpdateImage } from '../../../shared/update-image.js';
import { tempDir } from '../support/plain-broker.js';
import { runHearth } from '../support/processes.js';

describe('hearth firmware keygen and build', () => {
  const dir = tempDir('hearth-fw-cli-');
  afterAll(() => dir.remove());
  const keys = join(dir.path, 'keys');

  it('writes a 0600 private key and refuses to replace it without --force', async () => {
    const made = await runHearth(['firmware', 'keygen', '--out', keys, '--json']);
    expect(made.code, made.stderr).toBe(0);
    expect(statSync(join(keys, 'release.key')).mode & 0o777).toBe(0o600);
    const before = readFileSync(join(keys, 'release.key'), 'utf8');
    const again = await runHearth(['firmware', 'keygen', '--out', keys]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--force/);
    expect(readFileSync(join(keys, 'release.key'), 'utf8')).toBe(before);
  });

  it('builds a signed image that verifies with release.pub, good or deliberately bad', async () => {
    const out = join(dir.path, 'plug.hup');
    const r = await runHearth([
      'firmware',
      'build',
      'plug',
      '--version',
      '2.1.0',
      '--bad',
      'fail-self-test',
      '--key',
      join(keys, 'release.key'),
      '--out',
      out,
      '--size',
      '1000',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const image = verifyUpdateImage(
      readFileSync(out),
      releasePublicKeyFromPem(readFileSync(join(keys, 'release.pub'), 'utf8')),
    );
    expect(image).toMatchObject({
      model: 'plug',
      version: '2.1.0',
      manifest: { behaviour: 'fail-self-test' },
    });
  });

  it.each([
    [['plug', '--version', '1.0.0', '--bad', 'explode']],
    [['toaster', '--version', '1.0.0']],
    [['plug', '--version', 'not a version']],
  ])('refuses %j with exit 2 and writes nothing', async (args) => {
    const out = join(dir.path, 'refused.hup');
    const r = await runHearth([
      'firmware',
      'build',
      ...args,
      '--key',
      join(keys, 'release.key'),
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
