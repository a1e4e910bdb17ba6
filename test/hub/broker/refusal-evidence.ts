// Evidence that a broker refused a probe for the protocol's sake, not the ACL's, in either mode:
// the embedded broker counts the refusal by rule in hearth_mqtt_protocol_errors_total (and the
// ACL denied nothing); mosquitto, which refuses by itself (the hub is only its client), says so in
// its own log.
import { expect } from 'vitest';
import type { BrokerMode, TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

/** mosquitto's words for closing a connection over the protocol (never "not authorised"). */
export const MOSQUITTO_PROTOCOL_CLOSE = /disconnected due to (protocol error|malformed packet)/;

export function refusalEvidence(t: () => TestHub, mode: BrokerMode) {
  const counter = (name: string, labels: Record<string, string> = {}) =>
    t().hub.context.metrics.counter(name, '').get(labels);
  const aclDenials = () =>
    counter('hearth_mqtt_acl_denied_total', { action: 'publish' }) +
    counter('hearth_mqtt_acl_denied_total', { action: 'subscribe' });
  const mosquittoLog = () => t().mosquitto?.log() ?? '';

  return {
    counter,
    mosquittoLog,
    /** Call before the probe, `check()` after: refused under `rule` (mosquitto: `mosquittoSays`). */
    protocolRefusal(rule: string, mosquittoSays = MOSQUITTO_PROTOCOL_CLOSE) {
      const before = {
        rule: counter('hearth_mqtt_protocol_errors_total', { rule }),
        acl: aclDenials(),
        log: mosquittoLog().length,
      };
      return {
        async check() {
          if (mode === 'mosquitto') {
            await waitFor(() => mosquittoSays.test(mosquittoLog().slice(before.log)), {
              what: `mosquitto's log naming the refusal (${rule})`,
            });
            expect(mosquittoLog().slice(before.log)).not.toMatch(/not authori[sz]ed/);
            return;
          }
          expect(counter('hearth_mqtt_protocol_errors_total', { rule })).toBe(before.rule + 1);
          expect(aclDenials()).toBe(before.acl);
        },
      };
    },
  };
}
