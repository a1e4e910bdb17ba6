// What a boot tells the hub: reported state with a seq that only grows (a new block reserved in
// flash before it is used), events (kept while offline, the newest MAX_QUEUED_EVENTS), acks
// (slowed by the slow-acks drill) and the retained info.
import type { Ack, DeviceEvent, DeviceInfo, DeviceState } from '../../shared/payloads.js';
import type { EventDraft } from '../models/model.js';
import type { DeviceTopics } from './boot-contract.js';
import { type BootSession, publish, runningVersion } from './boot-session.js';
import { SEQ_BLOCK } from './flash-state.js';

const MAX_QUEUED_EVENTS = 32;

export interface BootReporter {
  publishState(): Promise<void>;
  emit(draft: EventDraft): void;
  publishAck(ack: Ack): void;
  publishInfo(): void;
  /** Sends the events kept while offline, oldest first. */
  flushEvents(topics: DeviceTopics): void;
}

export function createBootReporter(s: BootSession, infoUpdate: () => DeviceInfo['update']): BootReporter {
  const { d } = s;
  const unsentEvents: DeviceEvent[] = [];
  return {
    async publishState() {
      if (!s.topics) return;
      s.seq += 1;
      if (s.seq >= s.state.seqCeiling) {
        s.state.seqCeiling = s.seq + SEQ_BLOCK;
        await s.flash.save();
      }
      const { state } = s;
      const body: DeviceState = { seq: s.seq, ts: d.clock.now(), values: state.values };
      if (state.schedules) body.schedulesVersion = state.schedules.version;
      if (state.faults[0]) body.fault = state.faults[0];
      if (s.online) publish(s, s.topics.state, JSON.stringify(body), true);
    },
    emit(draft) {
      const event = { ...draft, ts: d.clock.now() } as DeviceEvent;
      if (s.online && s.topics) publish(s, s.topics.event, JSON.stringify(event));
      else if (unsentEvents.push(event) > MAX_QUEUED_EVENTS) unsentEvents.shift();
    },
    publishAck(ack) {
      const send = () => s.topics && !s.dead && publish(s, s.topics.ack, JSON.stringify(ack));
      if (d.switches.slowAckMs > 0) setTimeout(send, d.switches.slowAckMs).unref();
      else send();
    },
    publishInfo() {
      if (!s.topics) return;
      const update = infoUpdate();
      const info = {
        model: d.model.model,
        firmware: runningVersion(s),
        name: d.image.body.identity.name,
        capabilities: d.model.capabilities,
        ...(update ? { update } : {}),
      };
      publish(s, s.topics.info, JSON.stringify(info), true);
    },
    flushEvents(topics) {
      for (const e of unsentEvents.splice(0)) publish(s, topics.event, JSON.stringify(e));
    },
  };
}
