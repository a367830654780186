/**
 * iperf3 TCP throughput through the tunnel on one namespace topology, in one run:
 * wireguard-go ↔ wireguard-go (the reference), pathwire ↔ wireguard-go (both directions of
 * data), and pathwire ↔ pathwire; printed as Mbit/s and ratios to the reference. Needs root;
 * without it, says so and skips.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  namespaceCapability,
  startWireguardGo,
  Topology,
  type WgKeyPair,
  wgKeyPair,
} from '@pathwire/testkit';

const require = createRequire(import.meta.url);
const PATHWIRE = join(dirname(require.resolve('@pathwire/pathwired/package.json')), 'bin', 'pathwire.js');
const SECONDS = Number(process.env.PATHWIRE_IPERF_SECONDS ?? 5);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Side = 'wireguard-go' | 'pathwire';

async function startSide(
  topology: Topology,
  namespace: string,
  side: Side,
  suffix: string,
  self: WgKeyPair,
  peer: WgKeyPair,
  address: string,
  peerAddress: string,
  endpoint: string | undefined,
  dir: string,
): Promise<void> {
  if (side === 'wireguard-go') {
    await startWireguardGo(topology, namespace, suffix, {
      privateKey: self.privateKey,
      listenPort: 51820,
      addresses: [`${address}/24`],
      peers: [
        { publicKey: peer.publicKey, allowedIPs: [`${peerAddress}/32`], ...(endpoint ? { endpoint } : {}) },
      ],
    });
    return;
  }
  const iface = topology.name(suffix);
  const path = join(dir, `${iface}.conf`);
  writeFileSync(
    path,
    [
      '[Interface]',
      `PrivateKey = ${self.privateKey}`,
      'ListenPort = 51820',
      `Address = ${address}/24`,
      '[Peer]',
      `PublicKey = ${peer.publicKey}`,
      `AllowedIPs = ${peerAddress}/32`,
      ...(endpoint ? [`Endpoint = ${endpoint}`] : []),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child = topology.spawn(namespace, process.execPath, [PATHWIRE, 'up', path, '--log-level', 'warn']);
  for (let i = 0; i < 400 && !existsSync(`/var/run/wireguard/${iface}.sock`); i++) {
    if (child.exitCode !== null) throw new Error(`pathwire exited: ${child.log()}`);
    await sleep(25);
  }
}

async function measure(client: Side, server: Side): Promise<number> {
  const topology = Topology.create();
  const dir = mkdtempSync(join(tmpdir(), 'pathwire-bench-'));
  try {
    const c = topology.namespace('c');
    const s = topology.namespace('s');
    const link = topology.link(c, s);
    const ck = wgKeyPair();
    const sk = wgKeyPair();
    await startSide(topology, s, server, 'sv', sk, ck, '10.88.0.1', '10.88.0.2', undefined, dir);
    await startSide(topology, c, client, 'cl', ck, sk, '10.88.0.2', '10.88.0.1', `${link.b.ipv4}:51820`, dir);
    const iperf = topology.spawn(s, 'iperf3', ['-s', '-1', '-B', '10.88.0.1']);
    let output = '';
    for (let attempt = 0; attempt < 40 && !output; attempt++) {
      try {
        output = topology.exec(c, 'iperf3', ['-c', '10.88.0.1', '-t', String(SECONDS), '-J']);
      } catch {
        await sleep(100);
      }
    }
    iperf.kill();
    const result = JSON.parse(output) as { end: { sum_received: { bits_per_second: number } } };
    return result.end.sum_received.bits_per_second / 1e6;
  } finally {
    topology.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const capability = namespaceCapability(['wireguard-go', 'wg', 'iperf3']);
  if (!capability.ok) {
    console.log(`throughput benchmark skipped: ${capability.reason}`);
    return;
  }
  console.log(
    `# iperf3 TCP through the tunnel, ${SECONDS} s each, one veth link, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  const pairs: [Side, Side][] = [
    ['wireguard-go', 'wireguard-go'],
    ['pathwire', 'wireguard-go'],
    ['wireguard-go', 'pathwire'],
    ['pathwire', 'pathwire'],
  ];
  const results: number[] = [];
  console.log(
    '| sender (iperf3 client) | receiver (iperf3 server) | Mbit/s | ratio to wireguard-go ↔ wireguard-go |',
  );
  console.log('| --- | --- | ---: | ---: |');
  for (const [client, server] of pairs) {
    const mbits = await measure(client, server);
    results.push(mbits);
    console.log(`| ${client} | ${server} | ${mbits.toFixed(0)} | ${(mbits / results[0]!).toFixed(2)} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
