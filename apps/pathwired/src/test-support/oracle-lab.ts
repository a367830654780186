/**
 * Two namespaces joined by two links (two paths), for the oracle's namespace tests and benches:
 * our `pathwire up` in the client namespace with `Strategy = userspace-oracle` and both of the
 * server's link addresses as endpoints, and in the server namespace either a stock
 * wireguard-go or a second pathwire. A path is blackholed silently with iptables DROP (both
 * directions) in the server namespace.
 */
import { execFile } from 'node:child_process';
import { OracleClient, SnapshotAssembler } from '@pathwire/oracle-client';
import { type Link, type StockDevice, startWireguardGo, Topology, wgKeyPair } from '@pathwire/testkit';
import { type DaemonProcess, startDaemon } from './daemon-process.js';

export const INNER = { server: '203.0.113.225', client: '203.0.113.226' };
const PORT = 51820;

export interface OracleLab {
  readonly topology: Topology;
  readonly client: string;
  readonly server: string;
  readonly links: readonly [Link, Link];
  /** Our daemon (client side). */
  readonly daemon: DaemonProcess;
  /** The server's public key (the peer the oracle orders) and its two endpoints, link 0 first. */
  readonly peer: string;
  readonly endpoints: readonly [string, string];
  readonly clientPublicKey: string;
  /** Where the server sends to us now: our link address it learned (`wg show` on its side). */
  serverSeesUsAt(): string | undefined;
  /** Our active endpoint for the server (`wg show` on our side). */
  active(): string | undefined;
  /** `count` pings through the tunnel, 0.2 s apart; how many were answered. */
  ping(count: number): Promise<number>;
  blackhole(link: Link, on: boolean): void;
  destroy(): Promise<void>;
}

function wgEndpoint(
  iface: string,
  namespace: string | null,
  topology: Topology,
  peer: string,
): string | undefined {
  const dump = topology.exec(namespace, 'wg', ['show', iface, 'endpoints']);
  for (const line of dump.trim().split('\n')) {
    const [key, endpoint] = line.split('\t');
    if (key === peer && endpoint && endpoint !== '(none)') return endpoint;
  }
  return undefined;
}

/**
 * `extraPeers`: that many more oracle peers on our side, each with 4 endpoints in 2001:db8::/32
 * (no route in the namespace, never sent to without traffic), for the event stream bench.
 */
export async function createOracleLab(serverKind: 'stock' | 'pathwire', extraPeers = 0): Promise<OracleLab> {
  const topology = Topology.create();
  try {
    const client = topology.namespace('oc');
    const server = topology.namespace('os');
    const links = [topology.link(client, server), topology.link(client, server)] as const;
    const ours = wgKeyPair();
    const theirs = wgKeyPair();
    let serverIface: string;
    let stock: StockDevice | undefined;
    if (serverKind === 'stock') {
      stock = await startWireguardGo(topology, server, 'wg', {
        privateKey: theirs.privateKey,
        listenPort: PORT,
        addresses: [`${INNER.server}/27`],
        peers: [{ publicKey: ours.publicKey, allowedIPs: [`${INNER.client}/32`] }],
      });
      serverIface = stock.iface;
    } else {
      serverIface = `or${topology.id}s`;
      await startDaemon(
        topology,
        server,
        serverIface,
        [
          '[Interface]',
          `PrivateKey = ${theirs.privateKey}`,
          `ListenPort = ${PORT}`,
          `Address = ${INNER.server}/27`,
          '[Peer]',
          `PublicKey = ${ours.publicKey}`,
          `AllowedIPs = ${INNER.client}/32`,
          '',
        ].join('\n'),
      );
    }
    const endpoints = [`${links[0].b.ipv4}:${PORT}`, `${links[1].b.ipv4}:${PORT}`] as const;
    const daemon = await startDaemon(
      topology,
      client,
      `or${topology.id}c`,
      [
        '[Interface]',
        `PrivateKey = ${ours.privateKey}`,
        `Address = ${INNER.client}/27`,
        '[Peer]',
        `PublicKey = ${theirs.publicKey}`,
        `AllowedIPs = ${INNER.server}/32`,
        `Endpoint = ${endpoints.join(', ')}`,
        'Strategy = userspace-oracle',
        '',
        ...dummyPeers(extraPeers),
      ].join('\n'),
    );
    const rules: string[][] = [];
    const lab: OracleLab = {
      topology,
      client,
      server,
      links,
      daemon,
      peer: theirs.publicKey,
      endpoints,
      clientPublicKey: ours.publicKey,
      serverSeesUsAt: () => wgEndpoint(serverIface, server, topology, ours.publicKey),
      active: () => wgEndpoint(daemon.iface, null, topology, theirs.publicKey),
      ping(count) {
        const args = [
          'netns',
          'exec',
          client,
          'ping',
          '-c',
          String(count),
          '-i',
          '0.2',
          '-W',
          '2',
          INNER.server,
        ];
        return new Promise((resolve) =>
          execFile('ip', args, { encoding: 'utf8', timeout: 10_000 + count * 1000 }, (_error, stdout) =>
            resolve(Number(/(\d+) received/.exec(stdout ?? '')?.[1] ?? 0)),
          ),
        );
      },
      blackhole(link, on) {
        for (const rule of [
          ['INPUT', '-i', link.b.ifname, '-j', 'DROP'],
          ['OUTPUT', '-o', link.b.ifname, '-j', 'DROP'],
        ]) {
          if (on) {
            topology.exec(server, 'iptables', ['-A', ...rule]);
            rules.push(rule);
          } else {
            topology.exec(server, 'iptables', ['-D', ...rule]);
            rules.splice(
              rules.findIndex((r) => r.join() === rule.join()),
              1,
            );
          }
        }
      },
      async destroy() {
        await daemon.stop();
        topology.destroy();
      },
    };
    // The tunnel works before any oracle is there: the fallback (handshake-race) owns the peer.
    for (let tries = 0; (await lab.ping(1)) !== 1; tries++) {
      if (tries > 20) throw new Error(`no ping through the tunnel:\n${daemon.child.log()}`);
    }
    return lab;
  } catch (error) {
    topology.destroy();
    throw error;
  }
}

/** The peer's row of a fresh snapshot. */
export async function snapshotOf(iface: string, peer: string) {
  const watcher = await OracleClient.connect({ iface, reconnect: false });
  try {
    const assembler = new SnapshotAssembler();
    for await (const event of watcher.events()) {
      const peers = assembler.add(event);
      if (peers) return peers.find((p) => p.publicKey === peer);
    }
    return undefined;
  } finally {
    watcher.close();
  }
}

function dummyPeers(count: number): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const h = i.toString(16);
    lines.push(
      '[Peer]',
      `PublicKey = ${wgKeyPair().publicKey}`,
      `AllowedIPs = fd00:7077:fffe::${h}/128`,
      `Endpoint = ${[1, 2, 3, 4].map((k) => `[2001:db8:${h}::${k}]:51820`).join(', ')}`,
      'Strategy = userspace-oracle',
      '',
    );
  }
  return lines;
}
