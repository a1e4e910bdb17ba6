// One hub per data directory. Two hubs on one directory would drain the same cloud outbox, race
// on the database and delete each other's runtime.json, so the hub holds an exclusive lock for
// its whole life, and the CLI asks the lock (never runtime.json) whether a hub runs.
//
// The lock is a listening Linux abstract unix socket named after the data directory's device and
// inode. Why this and not a lock file: Node has no flock(2), and mkdir/pid-file locks
// (proper-lockfile and the like) leave a stale lock behind after SIGKILL or a power cut, to be
// guessed away by age or by a pid that may have been reused. An abstract socket has no file: the
// kernel frees the name when the process's last descriptor closes, so a crash, a SIGKILL or an
// OOM kill releases it at once, and bind() is atomic, so two starts racing cannot both win
// (the loser gets EADDRINUSE). A socket file in the data directory would survive the crash and
// need exactly that guesswork. Connecting to the name is the liveness test, and the holder
// answers each connection with one JSON line (pid, ports), which is how a refused `hearth start`
// names the running hub. Limit: abstract names are scoped to a network namespace, so the lock
// excludes hubs in the same namespace only (a systemd unit or a shell on one machine are).
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { z } from 'zod';

export const RunningHubSchema = z.object({
  pid: z.number().int(),
  startedAt: z.number(),
  dataDir: z.string(),
  /** Absent until the hub has bound its ports. */
  bind: z.string().optional(),
  httpPort: z.number().int().optional(),
  mqttPort: z.number().int().optional(),
  httpsPort: z.number().int().optional(),
  mqttTlsPort: z.number().int().optional(),
});
export type RunningHub = z.infer<typeof RunningHubSchema>;

/** A second hub tried to start on a data directory that a live hub holds. */
export class HubLockedError extends Error {
  override readonly name = 'HubLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: RunningHub | null,
  ) {
    const who = holder
      ? `pid ${holder.pid}${holder.httpPort !== undefined ? `, http port ${holder.httpPort}, mqtt port ${holder.mqttPort}` : ', still starting'}`
      : 'it did not say who it is';
    super(`another hub is already running on ${dataDir} (${who}); stop it first, or use another --data-dir`);
  }
}

export interface HubLock {
  /** Ports to tell whoever asks, once bound. */
  update(info: Partial<RunningHub>): void;
  release(): Promise<void>;
}

/** The abstract socket name for a data directory (null when the directory does not exist). */
export function lockAddress(dataDir: string): string | null {
  try {
    const s = statSync(dataDir);
    const key = createHash('sha256').update(`${s.dev}:${s.ino}`).digest('hex').slice(0, 32);
    return `\0hearth-hub-${key}`;
  } catch {
    return null;
  }
}

/** Takes the lock on an existing data directory, or throws HubLockedError naming the holder. */
export async function acquireHubLock(dataDir: string, startedAt: number): Promise<HubLock> {
  const address = lockAddress(dataDir);
  if (!address) throw new Error(`data directory ${dataDir} does not exist`);
  let info: RunningHub = { pid: process.pid, startedAt, dataDir };
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(`${JSON.stringify(info)}\n`);
  });
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new HubLockedError(dataDir, await probeRunningHub(dataDir));
  });
  let released = false;
  return {
    update(patch) {
      info = { ...info, ...patch };
    },
    release() {
      if (released) return Promise.resolve();
      released = true;
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The hub holding the data directory's lock, or null when none does. Never changes anything. */
export function probeRunningHub(dataDir: string, timeoutMs = 2000): Promise<RunningHub | null> {
  const address = lockAddress(dataDir);
  if (!address) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = connect(address);
    let text = '';
    let connected = false;
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs);
    const finish = (value: RunningHub | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
    });
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => finish(parseHolder(text, dataDir)));
    // Refused or absent: nobody holds it. Connected but silent: a hub holds it and did not answer.
    socket.on('error', () => finish(connected ? { pid: 0, startedAt: 0, dataDir } : null));
  });
}

function parseHolder(text: string, dataDir: string): RunningHub {
  try {
    return RunningHubSchema.parse(JSON.parse(text));
  } catch {
    return { pid: 0, startedAt: 0, dataDir };
  }
}
