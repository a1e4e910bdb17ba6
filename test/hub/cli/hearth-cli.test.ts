import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../../support/wait.js';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../../dist/bin/hearth.js');
const hearth = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('the hearth command', () => {
  it('--help lists the subcommands; --version prints the package version', async () => {
    const help = await hearth(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['start', 'tokens', 'flash', 'device', 'fleet', 'schedule'])
      expect(help.stdout).toContain(c);
    const version = await hearth(['--version']);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('an unknown command or option fails with plain words, not a stack trace', async () => {
    const unknown = await hearth(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badFlag = await hearth(['start', '--no-such-flag']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--no-such-flag'/);
    expect(badFlag.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('start --help documents the options and their environment variables', async () => {
    const r = await hearth(['start', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['--data-dir', 'HEARTH_DATA_DIR', '--http-port', '--mqtt-port', '--bind'])
      expect(r.stdout).toContain(s);
  });

  it('start with a bad config value exits 1 listing the problem', async () => {
    const r = await hearth([
      'start',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'hearth-cli-')),
      '--http-port',
      'eighty',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid configuration[\s\S]*httpPort/);
  });

  it('start runs on free ports, writes runtime.json, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
    const child = spawn(
      process.execPath,
      [
        bin,
        'start',
        '--data-dir',
        dataDir,
        '--http-port',
        '0',
        '--mqtt-port',
        '0',
        '--https-port',
        '0',
        '--mqtt-tls-port',
        '0',
        '--bind',
        '127.0.0.1',
        '--no-mdns',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const runtime = join(dataDir, 'runtime.json');
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    const info = await waitFor(
      () =>
        existsSync(runtime) &&
        (JSON.parse(readFileSync(runtime, 'utf8')) as { httpPort: number; mqttPort: number; pid: number }),
      {
        timeoutMs: 15_000,
        what: 'runtime.json',
      },
    );
    expect(info.pid).toBe(child.pid);
    expect(info.httpPort).toBeGreaterThan(0);
    expect(info.mqttPort).toBeGreaterThan(0);
    const hub = await fetch(`http://127.0.0.1:${info.httpPort}/api/v1/hub`);
    expect(hub.status).toBe(200);
    expect(out).toContain(dataDir);
    await waitFor(() => /pairing code \d{4}-\d{4}/.test(out), { what: 'the pairing code on stdout' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(runtime)).toBe(false);
  });

  it('in a terminal, start shows the pairing URL and a QR code of it (through the hearth shebang and its V8 flags)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
    // script(1) gives the hub a real terminal, as an owner at the console has.
    const command = `${bin} start --data-dir ${dataDir} --http-port 0 --mqtt-port 0 --https-port 0 --mqtt-tls-port 0 --bind 127.0.0.1 --no-mdns`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    onTestFinished(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    await waitFor(() => /Pair your phone: open (http:\/\/\S+#pair=\d{4}-\d{4})/.test(out), {
      timeoutMs: 15_000,
      what: 'the pairing URL in the terminal',
    });
    await waitFor(() => /[▀▄█]{10,}/.test(out), { what: 'the QR code' });
  });

  it('tokens create/list/revoke work on the data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
    const created = await hearth(['tokens', 'create', '--name', 'laptop', '--json', '--data-dir', dataDir]);
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const list = await hearth(['tokens', 'list', '--data-dir', dataDir]);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+laptop.*active`));
    expect((await hearth(['tokens', 'revoke', '--id', id, '--data-dir', dataDir])).code).toBe(0);
    expect((await hearth(['tokens', 'list', '--data-dir', dataDir])).stdout).toMatch(/revoked/);
    const missing = await hearth(['tokens', 'revoke', '--id', 'nope', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no token with id nope');
    expect((await hearth(['tokens', 'create', '--data-dir', dataDir])).code).toBe(2);
    const guest = await hearth([
      'tokens',
      'create',
      '--name',
      'sitter',
      '--role',
      'guest',
      '--grant',
      'feeder-1:feed',
      '--grant',
      'tv-1:power,channel',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(guest.code, guest.stderr).toBe(0);
    expect(JSON.parse(guest.stdout)).toMatchObject({
      role: 'guest',
      grants: ['feeder-1:feed', 'tv-1:channel,power'],
    });
    expect((await hearth(['tokens', 'list', '--data-dir', dataDir])).stdout).toMatch(
      /sitter\s+guest.*grants feeder-1:feed tv-1:channel,power/,
    );
    const refused = await hearth([
      'tokens',
      'create',
      '--name',
      'x',
      '--role',
      'member',
      '--grant',
      'tv-1:*',
      '--data-dir',
      dataDir,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('grants are only for guests');
  });
});
