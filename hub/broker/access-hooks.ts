// The aedes hooks that decide access: admission (connects at a steady rate, factory devices in a
// lane of their own), authentication, and the ACL on every publish and subscription. Each refusal
// is logged and counted.
import type { AedesOptions, Client } from 'aedes';
import type { HubContext } from '../core/context.js';
import { canPublish, canSubscribe, claimIdOf, type Identity } from './acl.js';
import type { Admission } from './admission.js';
import { type AuthError, authenticateClient, type BrokerAuth } from './client-auth.js';

type AccessHooks = Pick<
  AedesOptions,
  'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'
>;

export function createAccessHooks(
  ctx: HubContext,
  auth: BrokerAuth,
  identities: WeakMap<Client, Identity>,
  gates: { devices: Admission; claims: Admission },
): AccessHooks {
  const log = ctx.log.child({ module: 'broker' });
  const { metrics } = ctx;
  const connections = metrics.counter('hearth_mqtt_connections_total', 'MQTT connection attempts, by result');
  const authFailures = metrics.counter(
    'hearth_mqtt_auth_failures_total',
    'MQTT authentication refusals, by reason',
  );
  const aclDenied = metrics.counter(
    'hearth_mqtt_acl_denied_total',
    'MQTT publishes/subscriptions refused by the ACL',
  );
  return {
    preConnect(_client, packet, done) {
      const gate = claimIdOf(packet.clientId ?? '') && !packet.username ? gates.claims : gates.devices;
      gate.admit().then((ok) => {
        if (!ok) connections.inc({ result: 'shed' });
        done(null, ok);
      });
    },
    authenticate(client, username, password, done) {
      try {
        identities.set(client, authenticateClient(auth, client, username, password));
        connections.inc({ result: 'accepted' });
        done(null, true);
      } catch (err) {
        const e = err as AuthError;
        authFailures.inc({
          reason: e.returnCode === 2 ? 'identifier' : e.returnCode === 4 ? 'credentials' : 'not_authorized',
        });
        connections.inc({ result: 'refused' });
        log.info({ clientId: client.id, returnCode: e.returnCode }, `connection refused: ${e.message}`);
        done(e, false);
      }
    },
    authorizePublish(client, packet, done) {
      // The hub's own in-process publishes have no client. A client's will comes here too, with
      // no packet id (MQTT-3.1.2-8: it is published at its own QoS through the same ACL);
      // packet ids and every other protocol rule were checked by the packet guard.
      if (!client) return done(null);
      const who = identities.get(client);
      if (who && canPublish(who, packet.topic)) return done(null);
      aclDenied.inc({ action: 'publish' });
      log.warn(
        { clientId: client.id, topic: packet.topic },
        'publish refused by ACL; disconnecting (MQTT-3.3.5-2)',
      );
      done(new Error(`not allowed to publish to ${packet.topic}`));
    },
    authorizeSubscribe(client, sub, done) {
      const who = identities.get(client);
      if (who && canSubscribe(who, sub.topic)) return done(null, sub);
      aclDenied.inc({ action: 'subscribe' });
      log.info({ clientId: client.id, filter: sub.topic }, 'subscription refused by ACL (SUBACK 0x80)');
      done(null, null);
    },
  };
}

/** Ends the sessions of a revoked or changed token, or of a removed MQTT user, at once. */
export function endRevokedSessions(
  ctx: HubContext,
  clients: () => Record<string, Client>,
  identities: WeakMap<Client, Identity>,
): void {
  const log = ctx.log.child({ module: 'broker' });
  const close = (matches: (who: Identity) => boolean, why: string, detail: Record<string, string>) => {
    for (const client of Object.values(clients())) {
      const who = identities.get(client);
      if (!who || !matches(who)) continue;
      log.info({ clientId: client.id, ...detail }, why);
      client.close();
    }
  };
  // A client that reconnects does so with the token's new rights.
  ctx.bus.on('token.changed', 'broker', ({ tokenId }) =>
    close(
      (w) => w.kind === 'user' && w.tokenId === tokenId,
      'token revoked or changed; MQTT session closed',
      {
        tokenId,
      },
    ),
  );
  ctx.bus.on('mqtt-user.removed', 'broker', ({ name }) =>
    close((w) => w.kind === 'integration' && w.name === name, 'MQTT user removed; session closed', { name }),
  );
}
