// For the CLI commands that make a secret on the data directory itself (`hearth tokens create`,
// `hearth mqtt-users add`): in mosquitto mode they hold the secret in the clear only there and
// then, so they provision it into mosquitto themselves, over a short admin connection.
import mqtt from 'mqtt';
import type { Config } from '../../infra/config.js';
import { createLogger } from '../../infra/log.js';
import { createDynsecClient } from './dynsec-client.js';
import { createDynsecSync, type DynsecSync } from './dynsec-sync.js';

/** Resolves with null once done, or with why not (the secret is made either way). */
export async function provisionOnce(
  config: Config,
  add: (sync: DynsecSync) => Promise<void>,
): Promise<string | null> {
  const { broker } = config;
  let client: mqtt.MqttClient | undefined;
  try {
    client = await mqtt.connectAsync(broker.url, {
      clientId: `hearth-cli-${process.pid}`,
      ...(broker.username ? { username: broker.username } : {}),
      ...(broker.password ? { password: broker.password } : {}),
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const dynsec = createDynsecClient(client);
    await dynsec.attach();
    const none = () => [];
    const sync = createDynsecSync(
      dynsec,
      { deviceIds: none, tokens: none, mqttUsers: none },
      createLogger('silent'),
    );
    await add(sync);
    await sync.settled();
    return null;
  } catch (err) {
    return `not provisioned in mosquitto at ${broker.url}: ${(err as Error).message}`;
  } finally {
    await client?.endAsync().catch(() => undefined);
  }
}
