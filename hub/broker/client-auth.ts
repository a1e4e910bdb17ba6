// Who an MQTT client is, from its CONNECT: a token reader, a factory device asking to be adopted
// (anonymous, client id claim-<id>), a registered device, or an integration user. Anything else
// is refused with the CONNACK code MQTT 3.1.1 gives for it.
import type { Client } from 'aedes';
import type { AuthInfo } from '../core/rights.js';
import { claimIdOf, type Identity } from './acl.js';

export interface BrokerAuth {
  verifyDevice(deviceId: string, secret: string): boolean;
  verifyToken(token: string): AuthInfo | null;
  verifyIntegration(name: string, password: string): { name: string; pub: string[]; sub: string[] } | null;
}

export type AuthError = Error & { returnCode: 2 | 4 | 5 };

const refuse = (returnCode: 2 | 4 | 5, message: string): AuthError =>
  Object.assign(new Error(message), { returnCode });

/** The client's identity; throws an AuthError with the CONNACK return code to refuse it. */
export function authenticateClient(
  auth: BrokerAuth,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
): Identity {
  const id = client.id;
  const secret = password?.toString('utf8') ?? '';
  if (username === 'token') {
    const who = auth.verifyToken(secret);
    if (!who) throw refuse(4, 'unknown or revoked token');
    return { kind: 'user', tokenId: who.tokenId, role: who.role, grants: who.grants };
  }
  if (username === undefined && password === undefined) {
    const claimId = claimIdOf(id);
    if (!claimId) throw refuse(5, 'anonymous clients may only provision (client id claim-<id>)');
    return { kind: 'claim', claimId };
  }
  // A device connects with username == client id; anyone else by name is an integration user.
  if (username === id && auth.verifyDevice(id, secret)) return { kind: 'device', deviceId: id };
  const user = username === undefined ? null : auth.verifyIntegration(username, secret);
  if (!user) throw refuse(4, 'wrong device id or secret, or unknown MQTT user or password');
  return { kind: 'integration', name: user.name, pub: user.pub, sub: user.sub };
}
