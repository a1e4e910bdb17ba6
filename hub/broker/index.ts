export { canPublish, canSubscribe, type Identity } from './acl.js';
export { type BrokerUnit, createBroker } from './broker.js';
export type { BrokerAuth } from './client-auth.js';
