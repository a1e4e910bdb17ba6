// The URL a phone opens to pair: the hub's LAN address (not localhost) with the code in the
// fragment, so it never reaches a server log.
import { networkInterfaces } from 'node:os';

export function lanAddress(bind: string): string {
  if (bind !== '0.0.0.0' && bind !== '::') return bind;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function pairingUrl(bind: string, port: number, code: string): string {
  return `http://${lanAddress(bind)}:${port}/#pair=${code}`;
}
