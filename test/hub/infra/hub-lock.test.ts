// One hub per data directory, with real `hearth` processes: a second start is refused and names
// the first, the first keeps its runtime.json and keeps working, restore/doctor/schedule ask the
// lock (not the file), and a SIGKILL releases the lock at once.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { backupDataDir } from '../../../hub/ops/backup.js';
import { waitFor } from '../../support/wait.js';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../../dist/bin/hearth.js');
const hearth = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startHub(dataDir: string): Started {
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
      '--bind',
      '127.0.0.1',
      '--no-mdns',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HEARTH_LOG_LEVEL: 'warn' } },
  );
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  return { child, exited, stderr: () => err };
}

const readInfo = (dataDir: string) => {
  const file = join(dataDir, 'runtime.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { pid: number; httpPort: number; mqttPort: number })
    : null;
};

describe('one hub per data directory', () => {
  it('a second start exits 1 naming the running hub; the first keeps runtime.json and keeps serving', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-lock-'));
    const first = startHub(dataDir);
    const info = await waitFor(() => readInfo(dataDir), { timeoutMs: 20_000, what: 'runtime.json' });
    expect(info.pid).toBe(first.child.pid);

    const second = startHub(dataDir);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`another hub is already running on ${dataDir}`);
    expect(second.stderr()).toContain(`pid ${info.pid}`);
    expect(second.stderr()).toContain(`http port ${info.httpPort}`);
    expect(second.stderr()).toContain(`mqtt port ${info.mqttPort}`);
    // The refused hub removed nothing the first one wrote.
    expect(readInfo(dataDir)).toEqual(info);
    expect((await fetch(`http://127.0.0.1:${info.httpPort}/api/v1/hub`)).status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
  });

  it('restore, doctor and schedule ask the lock: a missing runtime.json does not hide a live hub, a crash frees it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-lock-'));
    const first = startHub(dataDir);
    const info = await waitFor(() => readInfo(dataDir), { timeoutMs: 20_000, what: 'runtime.json' });
    const backup = join(mkdtempSync(join(tmpdir(), 'hearth-lock-bk-')), 'b.tar.gz');
    await backupDataDir(dataDir, backup);
    // What a second hub's stop used to do: the file is gone, the hub is not.
    rmSync(join(dataDir, 'runtime.json'));

    const restore = await hearth(['restore', backup, '--data-dir', dataDir]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(new RegExp(`a hub is running on .* \\(pid ${info.pid}\\)`));
    const doctor = await hearth(['doctor', '--data-dir', dataDir, '--json']);
    const findings = JSON.parse(doctor.stdout) as { id: string; message: string }[];
    expect(findings.find((f) => f.id === 'broker')?.message).toBe(
      `the broker answers on port ${info.mqttPort}`,
    );
    const list = await hearth(['schedule', 'list', '--data-dir', dataDir], { HEARTH_TOKEN: 'no-such-token' });
    expect(list.stderr).not.toContain('no running hub found');
    expect(list.stderr).toContain('unauthorized');

    first.child.kill('SIGKILL');
    await first.exited;
    const after = await hearth(['schedule', 'list', '--data-dir', dataDir], { HEARTH_TOKEN: 'x' });
    expect(after.stderr).toContain('no running hub found');
    // The kernel released the lock with the process: a new hub starts at once.
    const next = startHub(dataDir);
    const info2 = await waitFor(() => readInfo(dataDir), { timeoutMs: 20_000, what: 'runtime.json again' });
    expect(info2.pid).toBe(next.child.pid);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect((await hearth(['restore', backup, '--data-dir', dataDir])).code).toBe(0);
  });
});
