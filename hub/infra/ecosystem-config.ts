// Discovery settings: for the hub's own broker (`ecosystem`), and for bridges to brokers the home
// already runs (Home Assistant's mosquitto add-on, the one Zigbee2MQTT needs): where it is, how to
// log in (credentials and TLS files as for cloud sync), what to do there. `hearth bridge add` writes them.
import { z } from 'zod';

const DiscoveryPrefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'a topic prefix: letters, digits, _ and -, levels split by /')
  .default('homeassistant');

/** Discovery on the hub's own broker. */
export const EcosystemConfigSchema = z
  .strictObject({
    discoveryPrefix: DiscoveryPrefixSchema,
    /** Turn devices announced through discovery into Hearth devices. */
    consume: z.boolean().default(true),
    /** Announce Hearth's own devices to Home Assistant (retained configs under the prefix). */
    publish: z.boolean().default(true),
  })
  .prefault({});

export const BridgeConfigSchema = z.strictObject({
  /** A short name for logs, health and the command source (`mqtt:bridge-<name>`). */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a bridge name is lower-case letters, digits and -'),
  url: z
    .string()
    .regex(/^mqtts?:\/\/[^\s/]+(:\d{1,5})?$/, 'url must look like mqtt://host:port or mqtts://host:port'),
  username: z.string().max(256).optional(),
  password: z.string().max(1024).optional(),
  /** PEM files for TLS: the broker's CA, and a client certificate and key if it wants one. */
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  discoveryPrefix: DiscoveryPrefixSchema,
  /** Turn the devices announced there into Hearth devices. */
  consume: z.boolean().default(true),
  /** Announce Hearth's devices there (with their state and availability) and take HA's commands. */
  publish: z.boolean().default(true),
  /** How long to wait between connection attempts while the broker is away. */
  reconnectMs: z.number().int().min(100).max(600_000).default(5000),
});
export type BridgeConfig = z.infer<typeof BridgeConfigSchema>;

export const BridgesConfigSchema = z
  .array(BridgeConfigSchema)
  .max(8)
  .default([])
  .refine((list) => new Set(list.map((b) => b.name)).size === list.length, {
    message: 'bridge names must be unique',
  });
