export { canPublish, canSubscribe, type Identity } from './acl.js';
export { type BrokerAuth, type BrokerUnit, createBroker } from './broker.js';
