// The systemd unit telemd installs. Hardened so that `systemd-analyze security` rates it low
// while the agent can still read /proc and /var/log (group adm) and write its state directory.
export interface UnitOptions {
  node: string;
  entry: string;
  config: string;
  user: string;
  /** The installation's README (Documentation=file:…), beside man:telemd(1). */
  readme?: string;
  /** The man page is installed (systemd-analyze verify runs man for man: links). */
  man?: boolean;
  /** Directories the config writes to outside the state directory (ReadWritePaths=). */
  writable?: string[];
}

/** One V8 helper thread (an agent on a 2-core budget; ~2 MiB RSS) and 1 MiB semi-spaces (−20 to −30 MiB peak while tailing, −1.5 MiB on the default config; see docs/memory.md). Also in `npm start`. */
export const NODE_FLAGS = '--v8-pool-size=1 --max-semi-space-size=1';

export function renderUnit(o: UnitOptions): string {
  return `[Unit]
Description=telemd telemetry agent
Documentation=${[o.man ? 'man:telemd(1)' : '', o.readme ? `file:${o.readme}` : ''].filter(Boolean).join(' ') || 'man:telemd(1)'}
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
NotifyAccess=main
ExecStart=${o.node} ${NODE_FLAGS} ${o.entry} run --config ${o.config}
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=5s
TimeoutStopSec=30s
WatchdogSec=60s
User=${o.user}
# Supplementary groups (adm, systemd-journal where present) come from the user, set at install.
Group=${o.user}
StateDirectory=telemd
StateDirectoryMode=0750
WorkingDirectory=/var/lib/telemd
Environment=TELEMD_DATA_DIR=/var/lib/telemd
Environment=NODE_ENV=production
UMask=0027
${o.writable?.length ? `# What the config writes outside the state directory (ProtectSystem=strict hides the rest).\nReadWritePaths=${o.writable.map((p) => (/\s/.test(p) ? `"${p}"` : p)).join(' ')}\n` : ''}
# Hardening (no MemoryDenyWriteExecute: V8's JIT needs writable+executable memory).
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
KeyringMode=private
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
`;
}
