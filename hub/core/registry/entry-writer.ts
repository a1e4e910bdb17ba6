// Writes a device entry's changes through to the store, batched per tick. Each write reads the
// entry when it runs, so the row gets the newest view (never one captured earlier that would
// overwrite a newer, already durable state), and many reports from one device in a tick cost one
// UPDATE.

import type { DeviceView } from '../../../shared/views.js';
import type { HubContext } from '../context.js';
import { declarationOf } from './stored-view.js';

/** A device as the registry holds it in memory. */
export interface DeviceEntry {
  view: DeviceView;
  secretHash: string;
}

export function createEntryWriter(ctx: HubContext) {
  const repo = ctx.repos.devices;
  const batched = (write: (e: DeviceEntry) => void, skip?: (e: DeviceEntry) => boolean) => {
    const pending = new Set<DeviceEntry>();
    const persist = (e: DeviceEntry) => {
      if (pending.has(e) || skip?.(e)) return;
      pending.add(e);
      ctx.writes.enqueue(() => {
        pending.delete(e);
        write(e);
      });
    };
    return Object.assign(persist, { pending: (e: DeviceEntry) => pending.has(e) });
  };
  const persistDevice = batched(({ view: v }) =>
    repo.saveIdentity({ ...v, capabilities: v.capabilities.map(declarationOf) }),
  );
  return {
    persistDevice,
    // Coming and going (a thousand of them in a reconnect surge) touches two columns only; a full
    // row write already queued carries it.
    persistPresence: batched(
      ({ view: v }) => repo.savePresence(v.id, v.online, v.lastSeenAt),
      (e) => persistDevice.pending(e),
    ),
    persistShadow: batched(({ view: v }) =>
      repo.saveReported(v.id, v.reported, v.reportedSeq, v.reportedAt, v.schedulesVersion),
    ),
  };
}
