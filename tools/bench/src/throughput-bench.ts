/**
 * iperf3 TCP throughput through the tunnel on one namespace topology (one 1500-byte veth), in
 * one run: wireguard-go ↔ wireguard-go (the reference), pathwire ↔ pathwire, and both mixed
 * pairs, at tunnel MTU 1420 and 8920, with 1 and 4 streams; each case repeated (default 3,
 * interleaved so that a busy minute hits every pair alike). Printed: Mbit/s min/median/max,
 * the ratio of medians to the reference in the same run, and CPU seconds per GB moved for each
 * side's daemon (user + system from /proc). Needs root; without it, says so and skips.
 *
 * Environment: PATHWIRE_IPERF_SECONDS (default 5), PATHWIRE_BENCH_REPEAT (default 3),
 * PATHWIRE_BENCH_MTUS (default "1420,8920"), PATHWIRE_BENCH_STREAMS (default "1,4"),
 * PATHWIRE_BENCH_AB_OFFLOAD=1 (adds pathwire ↔ pathwire without the TUN offloads).
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
import { cpuSeconds, pidsNamed, spread } from './cpu-time.js';

const require = createRequire(import.meta.url);
const PATHWIRE = join(dirname(require.resolve('@pathwire/pathwired/package.json')), 'bin', 'pathwire.js');
const SECONDS = Number(process.env.PATHWIRE_IPERF_SECONDS ?? 5);
const REPEAT = Number(process.env.PATHWIRE_BENCH_REPEAT ?? 3);
const MTUS = (process.env.PATHWIRE_BENCH_MTUS ?? '1420,8920').split(',').map(Number);
const STREAMS = (process.env.PATHWIRE_BENCH_STREAMS ?? '1,4').split(',').map(Number);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `pathwire (no offload)`: the daemon with PATHWIRE_TUN_OFFLOAD=0, for an A/B of the TUN offloads. */
type Side = 'wireguard-go' | 'pathwire' | 'pathwire (no offload)';

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
  mtu: number,
): Promise<number> {
  if (side === 'wireguard-go') {
    const stock = await startWireguardGo(topology, namespace, suffix, {
      privateKey: self.privateKey,
      listenPort: 51820,
      addresses: [`${address}/24`],
      peers: [
        { publicKey: peer.publicKey, allowedIPs: [`${peerAddress}/32`], ...(endpoint ? { endpoint } : {}) },
      ],
    });
    topology.exec(namespace, 'ip', ['link', 'set', stock.iface, 'mtu', String(mtu)]);
    return pidsNamed(namespace, 'wireguard-go')[0]!;
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
      `MTU = ${mtu}`,
      '[Peer]',
      `PublicKey = ${peer.publicKey}`,
      `AllowedIPs = ${peerAddress}/32`,
      ...(endpoint ? [`Endpoint = ${endpoint}`] : []),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const env = { ...process.env, PATHWIRE_TUN_OFFLOAD: side === 'pathwire' ? '1' : '0' };
  const child = topology.spawn(namespace, process.execPath, [PATHWIRE, 'up', path, '--log-level', 'warn'], {
    env,
  });
  for (let i = 0; i < 400 && !existsSync(`/var/run/wireguard/${iface}.sock`); i++) {
    if (child.exitCode !== null) throw new Error(`pathwire exited: ${child.log()}`);
    await sleep(25);
  }
  return child.pid!; // `ip netns exec` execs the command in place: this is node's pid
}

interface Sample {
  readonly mbits: number;
  /** CPU seconds per GB received, client side and server side. */
  readonly clientCpu: number;
  readonly serverCpu: number;
}

async function measure(client: Side, server: Side, mtu: number, streams: number): Promise<Sample> {
  const topology = Topology.create();
  const dir = mkdtempSync(join(tmpdir(), 'pathwire-bench-'));
  try {
    const c = topology.namespace('c');
    const s = topology.namespace('s');
    const link = topology.link(c, s);
    const ck = wgKeyPair();
    const sk = wgKeyPair();
    const serverPid = await startSide(
      topology,
      s,
      server,
      'sv',
      sk,
      ck,
      '10.88.0.1',
      '10.88.0.2',
      undefined,
      dir,
      mtu,
    );
    const clientPid = await startSide(
      topology,
      c,
      client,
      'cl',
      ck,
      sk,
      '10.88.0.2',
      '10.88.0.1',
      `${link.b.ipv4}:51820`,
      dir,
      mtu,
    );
    const iperf = topology.spawn(s, 'iperf3', ['-s', '-1', '-B', '10.88.0.1']);
    // A first handshake before the clock starts: ping until the tunnel answers.
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        topology.exec(c, 'ping', ['-c', '1', '-W', '1', '10.88.0.1']);
        break;
      } catch {
        await sleep(100);
      }
    }
    const cpuBefore = [cpuSeconds(clientPid), cpuSeconds(serverPid)];
    let output = '';
    for (let attempt = 0; attempt < 40 && !output; attempt++) {
      try {
        output = topology.exec(c, 'iperf3', [
          '-c',
          '10.88.0.1',
          '-t',
          String(SECONDS),
          '-P',
          String(streams),
          '-J',
        ]);
      } catch {
        await sleep(100);
      }
    }
    const cpuAfter = [cpuSeconds(clientPid), cpuSeconds(serverPid)];
    iperf.kill();
    const result = JSON.parse(output) as {
      end: { sum_received: { bits_per_second: number; bytes: number } };
    };
    const gigabytes = result.end.sum_received.bytes / 1e9;
    return {
      mbits: result.end.sum_received.bits_per_second / 1e6,
      clientCpu: (cpuAfter[0]! - cpuBefore[0]!) / gigabytes,
      serverCpu: (cpuAfter[1]! - cpuBefore[1]!) / gigabytes,
    };
  } finally {
    topology.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PAIRS: [Side, Side][] = [
  ['wireguard-go', 'wireguard-go'],
  ['pathwire', 'pathwire'],
  ['pathwire', 'wireguard-go'],
  ['wireguard-go', 'pathwire'],
  ...(process.env.PATHWIRE_BENCH_AB_OFFLOAD === '1'
    ? [['pathwire (no offload)', 'pathwire (no offload)'] as [Side, Side]]
    : []),
];

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  const capability = namespaceCapability(['wireguard-go', 'wg', 'iperf3', 'ping']);
  if (!capability.ok) {
    console.log(`throughput benchmark skipped: ${capability.reason}`);
    return;
  }
  console.log(
    `# iperf3 TCP through the tunnel, ${SECONDS} s each, one 1500-byte veth link, ${REPEAT} repetitions, ` +
      `${new Date().toISOString().slice(0, 10)}\n`,
  );
  for (const mtu of MTUS) {
    for (const streams of STREAMS) {
      // Repetitions interleaved over the pairs: a busy minute on the machine hits all of them.
      const samples = PAIRS.map(() => [] as Sample[]);
      for (let r = 0; r < REPEAT; r++) {
        for (const [k, [client, server]] of PAIRS.entries())
          samples[k]!.push(await measure(client, server, mtu, streams));
      }
      console.log(`\n## MTU ${mtu}, ${streams} stream${streams > 1 ? 's' : ''}\n`);
      console.log(
        '| sender (iperf3 client) | receiver | Mbit/s min / median / max | ratio of medians | CPU s/GB sender (median) | CPU s/GB receiver (median) |',
      );
      console.log('| --- | --- | ---: | ---: | ---: | ---: |');
      const reference = spread(samples[0]!.map((x) => x.mbits)).median;
      for (const [k, [client, server]] of PAIRS.entries()) {
        const rate = spread(samples[k]!.map((x) => x.mbits));
        const clientCpu = spread(samples[k]!.map((x) => x.clientCpu)).median;
        const serverCpu = spread(samples[k]!.map((x) => x.serverCpu)).median;
        console.log(
          `| ${client} | ${server} | ${f0(rate.min)} / ${f0(rate.median)} / ${f0(rate.max)} | ` +
            `${(rate.median / reference).toFixed(2)} | ${f1(clientCpu)} | ${f1(serverCpu)} |`,
        );
      }
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
