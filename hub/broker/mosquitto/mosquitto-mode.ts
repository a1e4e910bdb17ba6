// Wiring for mosquitto mode, in one place: every secret the hub hands out (a device's, a token, an
// MQTT user's password) is provisioned into mosquitto when it is made, removals and revocations are
// applied there, and the whole set is reconciled when the hub starts.
import type { DeviceRegistry, HubContext } from '../../core/context.js';
import type { InternalRegistry } from '../../core/registry/device-registry.js';
import type { Unit } from '../../infra/unit.js';
import type { MqttUserService } from '../../security/mqtt-users.js';
import type { TokenService } from '../../security/token-service.js';
import { createDynsecSync, type DynsecSync } from './dynsec-sync.js';
import type { MosquittoBrokerUnit } from './mosquitto-broker.js';

export interface MosquittoMode {
  /** Reconciles at start and follows the bus; starts right after the broker and the registry. */
  readonly unit: Unit;
  /** Resolves once every credential change so far has reached mosquitto (CoreContext.credentialsSettled). */
  settled(): Promise<void>;
}

/**
 * Hooks the services that make secrets so each is provisioned into mosquitto. The services are
 * changed in place: everyone holding them (API, pairing, provisioning) provisions through them.
 */
export function createMosquittoMode(
  ctx: HubContext,
  broker: MosquittoBrokerUnit,
  services: {
    registry: DeviceRegistry & Pick<InternalRegistry, 'setAvailability'>;
    tokens: TokenService;
    mqttUsers: MqttUserService;
  },
): MosquittoMode {
  const { registry, tokens, mqttUsers } = services;
  const log = ctx.log.child({ module: 'dynsec' });
  let sync: DynsecSync | undefined;
  const need = () => {
    if (!sync) throw new Error('mosquitto dynamic security not started');
    return sync;
  };

  const createDevice = registry.create.bind(registry);
  registry.create = (input) => {
    const made = createDevice(input);
    void need().addDevice(made.device.id, made.secret);
    return made;
  };
  const createToken = tokens.create.bind(tokens);
  tokens.create = (input) => {
    const made = createToken(input);
    void need().addToken(made.view, made.token);
    return made;
  };
  const addUser = mqttUsers.add.bind(mqttUsers);
  mqttUsers.add = (input, actor) => {
    const made = addUser(input, actor);
    void need().addMqttUser(made.user, made.password);
    return made;
  };
  broker.onKick((clientId) => void need().removeDevice(clientId));
  // Presence on mosquitto is each device's retained status, read live: without the connection
  // every device counts as offline (commands for them wait) until its status arrives again.
  broker.onConnectionLost(() => {
    for (const d of registry.list()) if (d.online) registry.setAvailability(d.id, false);
  });

  return {
    unit: {
      name: 'dynsec-sync',
      async start() {
        sync = createDynsecSync(
          broker.dynsec,
          {
            deviceIds: () => registry.list().map((d) => d.id),
            tokens: () => tokens.list(),
            mqttUsers: () => mqttUsers.list(),
          },
          log,
        );
        const s = sync;
        ctx.bus.on('token.changed', 'dynsec-sync', ({ tokenId }) => void s.tokenChanged(tokenId));
        ctx.bus.on('mqtt-user.removed', 'dynsec-sync', ({ name }) => void s.removeMqttUser(name));
        await s.reconcile();
      },
      async stop() {
        ctx.bus.removeOwner('dynsec-sync');
        await sync?.settled();
      },
      health() {
        const missing = sync?.missing() ?? [];
        return { ok: missing.length === 0, detail: { missingInMosquitto: missing.length } };
      },
    },
    settled: () => sync?.settled() ?? Promise.resolve(),
  };
}
