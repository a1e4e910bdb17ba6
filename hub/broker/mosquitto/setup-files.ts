// What `hearth broker setup` writes for a local Debian / Raspberry Pi OS mosquitto: a config
// snippet for conf.d (listeners, no anonymous clients, the dynamic-security plugin, MQTT over TLS
// with a certificate from the hub's CA when there is one) and a dynamic-security file holding the
// admin the hub connects as, hashed the way the plugin hashes (PBKDF2-SHA512, 12-byte salt).
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MAX_PACKET_BYTES } from '../packet-guard.js';
import { HUB_ROLE, hubRole } from './dynsec-roles.js';

/** Debian puts the plugin under the architecture's multiarch directory (a Pi: aarch64 or arm). */
const MULTIARCH: Record<string, string> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
};
export const debianPlugin = (arch: string = process.arch) =>
  `/usr/lib/${MULTIARCH[arch] ?? MULTIARCH.x64}/mosquitto_dynamic_security.so`;
const ITERATIONS = 101;

export interface SetupPaths {
  /** Where the plugin library is (Debian's path differs per architecture). */
  plugin: string;
  dynsecFile: string;
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/** The broker-wide settings Hearth relies on (the tests' mosquitto runs with them too). */
export const HEARTH_MOSQUITTO_SETTINGS = [
  'per_listener_settings false',
  'allow_anonymous false',
  'set_tcp_nodelay true',
  "# Debian's default 1000 silently drops a burst of QoS 1 messages to a slow client.",
  'max_queued_messages 10000',
  "# The embedded broker's limit: a larger packet is refused from its header, before it is read.",
  `max_packet_size ${MAX_PACKET_BYTES}`,
];

export function mosquittoSnippet(o: SetupPaths & { port: number; tlsPort: number; bind?: string }): string {
  const at = o.bind ? ` ${o.bind}` : '';
  return [
    "# Written by `hearth broker setup`: mosquitto as Hearth's broker, with Hearth's clients, roles",
    '# and ACLs in the dynamic-security plugin (the hub keeps them in step; edit them there, not here).',
    ...HEARTH_MOSQUITTO_SETTINGS,
    `plugin ${o.plugin}`,
    `plugin_opt_config_file ${o.dynsecFile}`,
    `listener ${o.port}${at}`,
    ...(o.tls
      ? [
          `listener ${o.tlsPort}${at}`,
          `cafile ${o.tls.caFile}`,
          `certfile ${o.tls.certFile}`,
          `keyfile ${o.tls.keyFile}`,
        ]
      : []),
    '',
  ].join('\n');
}

/** The same admin `mosquitto_ctrl dynsec init` makes, plus the right to write under hearth/. */
export function dynsecFile(admin: { username: string; password: string }): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(admin.password, salt, ITERATIONS, 64, 'sha512');
  const all = (acltype: string, topic: string) => ({ acltype, topic, allow: true });
  return `${JSON.stringify(
    {
      clients: [
        {
          username: admin.username,
          textname: 'Hearth hub (dynamic-security admin)',
          password: hash.toString('base64'),
          salt: salt.toString('base64'),
          iterations: ITERATIONS,
          roles: [{ rolename: 'admin' }, { rolename: HUB_ROLE }],
        },
      ],
      roles: [
        {
          rolename: 'admin',
          acls: [
            all('publishClientSend', '$CONTROL/dynamic-security/#'),
            all('publishClientReceive', '$CONTROL/dynamic-security/#'),
            all('subscribePattern', '$CONTROL/dynamic-security/#'),
            all('publishClientReceive', '$SYS/#'),
            all('subscribePattern', '$SYS/#'),
            all('publishClientReceive', '#'),
            all('subscribePattern', '#'),
            all('unsubscribePattern', '#'),
          ],
        },
        hubRole(),
      ],
      defaultACLAccess: {
        publishClientSend: false,
        publishClientReceive: true,
        subscribe: false,
        unsubscribe: true,
      },
    },
    null,
    2,
  )}\n`;
}

export const snippetPath = (confDir: string) => join(confDir, 'hearth.conf');
