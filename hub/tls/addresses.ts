// What a hub certificate may name: the private address ranges and `.local` names a hub on a home
// LAN can have (the CA's name constraints), and which of the machine's current addresses fall in
// them (the leaf's SANs). A public address is never put in a certificate the CA could not sign.
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** Names the CA may certify: `.local` (mDNS) host names and localhost. */
export const PERMITTED_DNS = ['.local', 'localhost'] as const;

/** Address ranges the CA may certify: RFC 1918, loopback, link-local, IPv6 unique-local and loopback. */
export const PERMITTED_IP_RANGES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fd00::/8',
  '::1/128',
] as const;

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Bits(address: string): bigint {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** Whether an IP address lies in one of the ranges the hub CA may certify. */
export function isPermittedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return PERMITTED_IP_RANGES.some((range) => {
    const [base = '', prefixText = ''] = range.split('/');
    if (isIP(base) !== family) return false;
    const width = family === 4 ? 32n : 128n;
    const bits = family === 4 ? ipv4Bits : ipv6Bits;
    const shift = width - BigInt(Number(prefixText));
    return bits(address) >> shift === bits(base) >> shift;
  });
}

/** The hub's DNS names in its certificate: `<host>.local` (what mDNS announces) and localhost. */
export function hubDnsNames(host: string = hostname()): string[] {
  const label = (host.split('.')[0] ?? '').toLowerCase();
  const names = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label) ? [`${label}.local`] : [];
  return [...names, 'localhost'];
}

/**
 * The addresses the hub is reachable at that its certificate may name: every interface's when it
 * listens on all of them, else the one it binds (and loopback). Sorted, so two sets compare as text.
 */
export function hubAddresses(bind: string): string[] {
  const all = Object.values(networkInterfaces())
    .flat()
    .map((a) => a?.address)
    .filter((a): a is string => typeof a === 'string' && !a.includes('%'));
  const wanted = bind === '0.0.0.0' || bind === '::' ? all : [bind, '127.0.0.1'];
  return [...new Set(wanted.filter(isPermittedAddress))].sort();
}
