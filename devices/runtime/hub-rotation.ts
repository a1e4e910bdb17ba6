// Which hub address a connection tries next: the addresses the locator strategies find, cycled in
// order, with the one that last answered first. Rounds alternate between the cached addresses alone
// and the fallback strategies (mDNS) too, so a hub that moved is found again while a hub at its
// cached address costs no browse. A device that holds the hub CA keeps only mqtts addresses.
import type { Logger } from 'pino';
import { formatHubAddress, type HubAddress, type HubLocator, locateHub } from './hub-locator.js';

export interface HubRotation {
  /** The next address to try, or undefined when no strategy knows one yet. */
  next(): Promise<HubAddress | undefined>;
  /** The hub answered at `address`: start the next rounds with it, cached addresses first. */
  connectedTo(address: HubAddress): void;
}

export function createHubRotation(deps: {
  locators: readonly HubLocator[];
  trust?: string | undefined;
  log: Logger;
}): HubRotation {
  let candidates: HubAddress[] = [];
  let next = 0;
  let includeFallback = false;
  let loggedSkipped = false;
  const usable = (a: HubAddress) => a.tls === (deps.trust !== undefined);
  const onError = (name: string, err: unknown) => deps.log.warn({ err, locator: name }, 'hub locator failed');

  const located = async (fallback: boolean) => {
    const all = await locateHub(deps.locators, onError, fallback);
    const kept = all.filter(usable);
    if (kept.length < all.length && !loggedSkipped) {
      loggedSkipped = true;
      deps.log.warn(
        { skipped: all.filter((a) => !usable(a)).map(formatHubAddress) },
        deps.trust
          ? 'this device trusts the hub CA and speaks only MQTT over TLS; plain addresses skipped'
          : 'this image has no hub CA, so it cannot verify a TLS hub; re-flash it to use TLS',
      );
    }
    return kept;
  };

  return {
    async next() {
      if (next >= candidates.length) {
        candidates = await located(includeFallback);
        if (candidates.length === 0 && !includeFallback) candidates = await located(true);
        includeFallback = !includeFallback;
        next = 0;
      }
      const address = candidates[next];
      next += 1;
      return address;
    },
    connectedTo(address) {
      includeFallback = false;
      next = 0;
      candidates = [address, ...candidates.filter((a) => a !== address)];
    },
  };
}
