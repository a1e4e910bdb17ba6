// The URL a phone opens to pair: the hub's LAN address (not localhost) with the code in the
// fragment, so it never reaches a server log, and the hub CA's fingerprint beside it, so the phone
// can check the CA it is offered is the one this hub printed.
import { networkInterfaces } from 'node:os';

export function lanAddress(bind: string): string {
  if (bind !== '0.0.0.0' && bind !== '::') return bind;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Where a phone first reaches the hub: plain HTTP when it is on, HTTPS otherwise. */
export interface FirstContact {
  scheme: 'http' | 'https';
  port: number;
  /** The hub CA's SHA-256, 64 hex digits. */
  caFingerprint: string;
}

export function pairingUrl(bind: string, entry: FirstContact, code: string): string {
  return `${entry.scheme}://${lanAddress(bind)}:${entry.port}/#pair=${code}&ca=${entry.caFingerprint}`;
}
