// Downloads an update image from the hub over HTTP with Range requests: bytes already on disk (a
// dropped connection, a reboot) are kept and the rest is asked for with `Range: bytes=N-`. The
// device authenticates with its own credentials (Basic). Bounded retries with backoff; the bytes
// are checked by the caller (size, SHA-256, signature) before anything is flashed.
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { HearthError } from '../../shared/errors.js';
import { partSize } from './ota-slots.js';

export interface DownloadRequest {
  url: string;
  deviceId: string;
  secret: string;
  size: number;
  partPath: string;
  signal: AbortSignal;
  /** A fault switch: the network drops the download after this many bytes of one response. */
  dropAfter?: () => number | null;
  onResume?: (from: number) => void;
  attempts?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** One HTTP request for the bytes from `from`; appends them to the part file. */
async function fetchFrom(req: DownloadRequest, from: number): Promise<void> {
  const local = new AbortController();
  const abort = () => local.abort();
  req.signal.addEventListener('abort', abort);
  const fd = openSync(req.partPath, from === 0 ? 'w' : 'a', 0o600);
  try {
    const res = await fetch(req.url, {
      headers: {
        authorization: `Basic ${Buffer.from(`${req.deviceId}:${req.secret}`).toString('base64')}`,
        ...(from > 0 ? { range: `bytes=${from}-` } : {}),
      },
      signal: local.signal,
    });
    if (from > 0 && res.status !== 206)
      throw new HearthError('unavailable', `the hub answered ${res.status} to a range request`);
    if (from === 0 && res.status !== 200)
      throw new HearthError('unavailable', `the hub answered ${res.status}`);
    if (!res.body) throw new HearthError('unavailable', 'the hub sent no body');
    const dropAt = req.dropAfter?.() ?? null;
    let got = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      writeSync(fd, chunk);
      got += chunk.length;
      if (dropAt !== null && got >= dropAt) {
        local.abort();
        throw new HearthError('unavailable', `the connection dropped after ${got} bytes`);
      }
    }
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
    req.signal.removeEventListener('abort', abort);
  }
}

/** Downloads (resuming what is on disk) and returns the whole file; the part file is removed. */
export async function download(req: DownloadRequest): Promise<Buffer> {
  const attempts = req.attempts ?? 20;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts && !req.signal.aborted; attempt++) {
    let have = await partSize(req.partPath);
    if (have > req.size) {
      await rm(req.partPath, { force: true });
      have = 0;
    }
    if (have < req.size) {
      if (have > 0) req.onResume?.(have);
      try {
        await fetchFrom(req, have);
      } catch (err) {
        lastError = err;
        if (req.signal.aborted) break;
        await sleep(Math.min(5000, 100 * 2 ** attempt), req.signal);
        continue;
      }
    }
    const bytes = await readFile(req.partPath);
    if (bytes.length === req.size) return bytes;
    lastError = new HearthError('unavailable', `got ${bytes.length} of ${req.size} bytes`);
  }
  if (req.signal.aborted) throw new HearthError('unavailable', 'the download was stopped');
  throw lastError instanceof Error ? lastError : new HearthError('unavailable', 'download failed');
}
