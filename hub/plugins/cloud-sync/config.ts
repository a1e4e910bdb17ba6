// Cloud sync's configuration (under `plugins: { "cloud-sync": { … } }` in the hub config).
import { z } from 'zod';

export const CloudSyncConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The remote broker: mqtt://host:port or mqtts://host:port (AWS IoT Core, HiveMQ Cloud, EMQX, mosquitto…). */
  url: z
    .string()
    .regex(/^mqtts?:\/\/[^\s/]+(:\d{1,5})?$/, 'url must look like mqtt://host:port or mqtts://host:port'),
  clientId: z.string().min(1).max(128).optional(),
  username: z.string().max(256).optional(),
  password: z.string().max(1024).optional(),
  /** PEM file paths for TLS (mutual TLS for AWS IoT Core). */
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  /** Topics are <prefix>/state/<device>, <prefix>/event/<device>, …; commands come on <prefix>/cmd/<device>. */
  topicPrefix: z
    .string()
    .regex(/^[^#+\s]+$/, 'topicPrefix may not contain wildcards or spaces')
    .optional(),
  /** Most messages per second sent to the cloud; 0 means unthrottled. Gentle after an outage. */
  ratePerSecond: z.number().min(0).default(200),
  /** Outbox bound; past it the oldest states are dropped (events are always kept). */
  maxQueue: z.number().int().min(100).default(100_000),
  connectTimeoutMs: z.number().int().min(500).default(10_000),
  /** Reconnect backoff ceiling (full jitter from 500 ms up to this). */
  backoffMaxMs: z.number().int().min(100).default(60_000),
  /** After 5 failed connects in a row the circuit opens; it half-opens after this long. */
  breakerHalfOpenMs: z.number().int().min(100).default(30_000),
  /** What a remote (cloud) user may do: capabilities allowed; empty means no remote control. */
  allow: z.strictObject({ capabilities: z.array(z.string()).default([]) }).prefault({}),
});

export type CloudSyncConfig = z.infer<typeof CloudSyncConfigSchema>;
