// The TLS unit: the hub CA (made at first start), the leaf for the hub's names and current
// addresses (re-issued by itself when they change, checked at start and on a timer), and the
// session-ticket keys, for the HTTPS and MQTT-over-TLS listeners to serve.
import type { SecureContextOptions } from 'node:tls';
import type { HubContext } from '../core/context.js';
import type { Unit } from '../infra/unit.js';
import { hubAddresses, hubDnsNames } from './addresses.js';
import { fingerprintHex, type HubCa, loadOrCreateCa } from './ca.js';
import { issueOffThread } from './issue-off-thread.js';
import { type HubLeaf, type LeafNames, leafProblem, readLeaf, writeLeaf } from './leaf.js';
import { loadTicketKeys } from './ticket-keys.js';
import { openTlsFiles } from './tls-files.js';

export interface HubTls extends Unit {
  /** The CA certificate, PEM: what phones and devices trust. */
  readonly caPem: string;
  /** SHA-256 of the CA, colon-separated upper-case hex. */
  readonly fingerprint: string;
  /** The same as 64 lower-case hex digits (URLs, mDNS TXT). */
  readonly fingerprintHex: string;
  /** Key, certificate and ticket keys for a TLS server, as they stand now. */
  serverOptions(): SecureContextOptions & { ticketKeys: Buffer };
  /** Called after the leaf was re-issued, with the new server options. */
  onRenewed(listener: (options: SecureContextOptions & { ticketKeys: Buffer }) => void): void;
  /** Checks the leaf against the current addresses now (the timer does this too). */
  check(): Promise<void>;
}

export function createHubTls(
  ctx: Pick<HubContext, 'config' | 'log' | 'clock'>,
  options: { checkMs?: number } = {},
): HubTls {
  const log = ctx.log.child({ module: 'tls' });
  const listeners: Array<(o: SecureContextOptions & { ticketKeys: Buffer }) => void> = [];
  let ca: HubCa | undefined;
  let leaf: HubLeaf | undefined;
  let ticketKeys: Buffer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  const files = () => openTlsFiles(ctx.config.dataDir);
  const wanted = (): LeafNames => ({ dns: hubDnsNames(), ips: hubAddresses(ctx.config.bind) });
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('TLS unit not started');
    return v;
  };
  const serverOptions = () => ({
    key: need(leaf).keyPem,
    cert: need(leaf).certPem,
    ticketKeys: need(ticketKeys),
  });

  const ensureLeaf = async (): Promise<boolean> => {
    const authority = need(ca);
    const want = wanted();
    const current = leaf ?? readLeaf(files()) ?? undefined;
    const problem = current ? leafProblem(current, authority, want, new Date(ctx.clock.now())) : 'none yet';
    if (!problem) {
      leaf = current;
      return false;
    }
    leaf = await issueOffThread({ kind: 'leaf', ca: authority, names: want, now: ctx.clock.now() });
    writeLeaf(files(), leaf);
    log.info({ reason: problem, dns: want.dns, ips: want.ips }, 'issued the hub certificate');
    return true;
  };

  const check = () => {
    checking ??= ensureLeaf()
      .then((renewed) => {
        if (!renewed) return;
        const opts = serverOptions();
        for (const l of listeners) l(opts);
      })
      .catch((err: unknown) => log.error({ err }, 'could not re-issue the hub certificate'))
      .finally(() => {
        checking = undefined;
      });
    return checking;
  };

  return {
    name: 'tls',
    get caPem() {
      return need(ca).certPem;
    },
    get fingerprint() {
      return need(ca).fingerprint;
    },
    get fingerprintHex() {
      return fingerprintHex(need(ca).fingerprint);
    },
    serverOptions,
    onRenewed(listener) {
      listeners.push(listener);
    },
    check,
    async start() {
      const dir = files();
      const loaded = await loadOrCreateCa(dir, () => issueOffThread({ kind: 'ca', now: Date.now() }));
      ca = loaded.ca;
      if (loaded.created) log.info({ fingerprint: ca.fingerprint, dir: dir.dir }, 'made the hub CA');
      ticketKeys = loadTicketKeys(dir, ctx.clock.now());
      await ensureLeaf();
      timer = setInterval(() => void check(), options.checkMs ?? 2000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await checking;
    },
  };
}
