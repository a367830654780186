/**
 * A stock WireGuard peer for interop tests: Debian's `wireguard-go` in a namespace, configured
 * with `wg set` and `ip`, exactly as a user would.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from './topology.js';
import { waitFor } from './wait.js';

export interface StockPeerConfig {
  readonly publicKey: string;
  readonly presharedKey?: string;
  readonly allowedIPs: readonly string[];
  readonly endpoint?: string;
  readonly persistentKeepalive?: number;
}

export interface StockDeviceConfig {
  readonly privateKey: string;
  readonly listenPort: number;
  /** Tunnel addresses with prefix, e.g. `10.77.0.2/24`. */
  readonly addresses: readonly string[];
  readonly peers: readonly StockPeerConfig[];
}

export interface StockDevice {
  readonly iface: string;
  readonly namespace: string;
  /** Adds or replaces a peer, as `wg set IFACE peer …`. */
  setPeer(peer: StockPeerConfig): void;
  /** Removes a peer and every session with it, as `wg set IFACE peer KEY remove`. */
  removePeer(publicKey: string): void;
  /** `wg show <iface> dump` output. */
  show(): string;
  /** What wireguard-go printed so far. */
  log(): string;
}

/** Runs `wg set IFACE …`, passing keys through files readable by root only. */
function wgSet(
  topology: Topology,
  namespace: string,
  iface: string,
  privateKey: string | undefined,
  head: readonly string[],
  peers: readonly StockPeerConfig[],
): void {
  const dir = mkdtempSync(join(tmpdir(), 'pathwire-wg-'));
  try {
    const args = ['set', iface, ...head];
    if (privateKey) {
      const keyFile = join(dir, 'private');
      writeFileSync(keyFile, privateKey, { mode: 0o600 });
      args.push('private-key', keyFile);
    }
    peers.forEach((peer, i) => {
      args.push('peer', peer.publicKey, 'allowed-ips', peer.allowedIPs.join(','));
      if (peer.presharedKey) {
        const pskFile = join(dir, `psk${i}`);
        writeFileSync(pskFile, peer.presharedKey, { mode: 0o600 });
        args.push('preshared-key', pskFile);
      }
      if (peer.endpoint) args.push('endpoint', peer.endpoint);
      if (peer.persistentKeepalive) args.push('persistent-keepalive', String(peer.persistentKeepalive));
    });
    topology.exec(namespace, 'wg', args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts wireguard-go in `namespace` with an interface named `topology.name(suffix)`. */
export async function startWireguardGo(
  topology: Topology,
  namespace: string,
  suffix: string,
  config: StockDeviceConfig,
): Promise<StockDevice> {
  const iface = topology.name(suffix);
  const socket = `/var/run/wireguard/${iface}.sock`;
  // A wireguard-go killed by an earlier run leaves its socket behind; it would look alive.
  rmSync(socket, { force: true });
  topology.onDestroy(() => rmSync(socket, { force: true }));
  const child = topology.spawn(namespace, 'wireguard-go', ['-f', iface], {
    env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1', LOG_LEVEL: 'verbose' },
  });
  await waitFor(() => existsSync(socket) || child.exitCode !== null, `${socket}`);
  if (child.exitCode !== null) throw new Error(`wireguard-go exited: ${child.log()}`);
  wgSet(
    topology,
    namespace,
    iface,
    config.privateKey,
    ['listen-port', String(config.listenPort)],
    config.peers,
  );
  for (const address of config.addresses)
    topology.exec(namespace, 'ip', ['addr', 'add', address, 'dev', iface]);
  topology.exec(namespace, 'ip', ['link', 'set', iface, 'up']);
  return {
    iface,
    namespace,
    setPeer: (peer) => wgSet(topology, namespace, iface, undefined, [], [peer]),
    removePeer: (publicKey) => topology.exec(namespace, 'wg', ['set', iface, 'peer', publicKey, 'remove']),
    show: () => topology.exec(namespace, 'wg', ['show', iface, 'dump']),
    log: () => child.log(),
  };
}
