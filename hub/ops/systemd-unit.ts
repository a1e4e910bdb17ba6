// The systemd unit for running Hearth as a service on a Pi: a dedicated user, state under
// /var/lib/hearth, restart on failure, and the sandboxing systemd offers for a network daemon.
import { HUB_MALLOC_TUNABLES, HUB_NODE_FLAGS } from '../infra/node-flags.js';

export interface UnitOptions {
  user: string;
  dataDir: string;
  /** Absolute path of node. */
  node: string;
  /** Absolute path of dist/bin/hearth.js. */
  bin: string;
  httpPort: number;
  mqttPort: number;
}

export function renderUnit(o: UnitOptions): string {
  const privileged = o.httpPort < 1024 || o.mqttPort < 1024;
  return `[Unit]
Description=Hearth local-first smart-home hub
Documentation=https://github.com/hearth-home/hearth#readme
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${o.user}
Group=${o.user}
Environment=NODE_ENV=production
Environment=HEARTH_DATA_DIR=${o.dataDir}
Environment=GLIBC_TUNABLES=${HUB_MALLOC_TUNABLES}
ExecStart=${o.node} ${HUB_NODE_FLAGS.join(' ')} ${o.bin} start --data-dir ${o.dataDir} --http-port ${o.httpPort} --mqtt-port ${o.mqttPort}
Restart=on-failure
RestartSec=2
TimeoutStopSec=20
# Logs go to the journal: journalctl -u hearth -f
StandardOutput=journal
StandardError=journal

# Sandboxing: the hub needs its data directory, the network and nothing else.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
ReadWritePaths=${o.dataDir}
UMask=0077
${privileged ? 'AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE' : 'CapabilityBoundingSet='}

[Install]
WantedBy=multi-user.target
`;
}
