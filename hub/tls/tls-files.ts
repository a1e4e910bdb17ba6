// The hub's TLS files under <data-dir>/tls/: the directory is the owner's alone (0700), private keys
// are 0600, and every file is written to a temp name and renamed, so a power cut never leaves half
// a key.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const tlsDir = (dataDir: string) => join(dataDir, 'tls');

export const TLS_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  leafCert: 'leaf.crt',
  leafKey: 'leaf.key',
  /** The names and addresses the leaf was issued for, so a start needs no X.509 parsing to compare. */
  leafNames: 'leaf.json',
  ticketKeys: 'ticket-keys',
} as const;

export interface TlsFiles {
  readonly dir: string;
  read(name: string): Buffer | null;
  readText(name: string): string | null;
  /** Writes atomically; `secret` files are 0600, others 0644. */
  write(name: string, data: string | Buffer, secret?: boolean): void;
}

export function openTlsFiles(dataDir: string): TlsFiles {
  const dir = tlsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = (name: string) => join(dir, name);
  const read = (name: string) => (existsSync(path(name)) ? readFileSync(path(name)) : null);
  return {
    dir,
    read,
    readText: (name) => read(name)?.toString('utf8') ?? null,
    write(name, data, secret = false) {
      const tmp = `${path(name)}.tmp`;
      writeFileSync(tmp, data, { mode: secret ? 0o600 : 0o644 });
      chmodSync(tmp, secret ? 0o600 : 0o644);
      renameSync(tmp, path(name));
    },
  };
}
