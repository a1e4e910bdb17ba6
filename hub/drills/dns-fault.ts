// Fault injection for the dns-fail drill, loaded into the drill's hub process with `node --import`.
// Names under `.hearth-drill.invalid` (a TLD that never resolves, RFC 6761) are answered from a
// control file the drill writes: "up" resolves to loopback, "down" fails the way a dead resolver
// does (EAI_AGAIN after a timeout). Every other name goes to the system resolver untouched.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';

export const DRILL_DOMAIN = '.hearth-drill.invalid';
export const DNS_CONTROL_ENV = 'HEARTH_DRILL_DNS_FILE';
const RESOLVER_TIMEOUT_MS = 1000;

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

const controlFile = process.env[DNS_CONTROL_ENV];
if (controlFile) {
  const systemLookup = dns.lookup;
  const drillLookup = (hostname: string, options: unknown, callback?: unknown): void => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    if (!hostname.endsWith(DRILL_DOMAIN)) {
      (systemLookup as (h: string, o: unknown, c: LookupCallback) => void)(hostname, opts, cb);
      return;
    }
    let up = false;
    try {
      up = readFileSync(controlFile, 'utf8').trim() === 'up';
    } catch {
      // no control file: the resolver is down
    }
    if (up) {
      process.nextTick(() =>
        opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4),
      );
      return;
    }
    setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo EAI_AGAIN ${hostname}`);
      err.code = 'EAI_AGAIN';
      err.syscall = 'getaddrinfo';
      cb(err);
    }, RESOLVER_TIMEOUT_MS);
  };
  dns.lookup = drillLookup as typeof dns.lookup;
}
