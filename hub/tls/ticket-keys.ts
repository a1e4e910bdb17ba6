// TLS session-ticket keys kept on disk, so devices resume their sessions after a hub restart (the
// reconnect surge is exactly then) instead of each paying a full handshake. Rotated weekly: a
// ticket key read from the disk would let someone decrypt the sessions resumed with it.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { TLS_FILES, type TlsFiles } from './tls-files.js';

export const TICKET_KEY_BYTES = 48;
export const TICKET_KEY_MAX_AGE_MS = 7 * 86_400_000;

export function loadTicketKeys(files: TlsFiles, now: number): Buffer {
  const existing = files.read(TLS_FILES.ticketKeys);
  if (existing?.length === TICKET_KEY_BYTES) {
    const age = now - statSync(join(files.dir, TLS_FILES.ticketKeys)).mtimeMs;
    if (age >= 0 && age < TICKET_KEY_MAX_AGE_MS) return existing;
  }
  const keys = randomBytes(TICKET_KEY_BYTES);
  files.write(TLS_FILES.ticketKeys, keys, true);
  return keys;
}
