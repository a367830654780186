/**
 * Any MTU, end to end: two pathwire daemons (and pathwire against wireguard-go) in namespaces
 * joined by a 1500-byte veth, at tunnel MTUs of 1420, 8920 and 65475 (the largest whose
 * datagrams still fit IPv4 UDP: 65475 + 32 bytes of WireGuard = 65507). Asserted: pings of
 * exactly the MTU with DF set are answered both ways (ping checks the payload), and a TCP
 * transfer arrives byte for byte (SHA-256 on both ends). Never a rate. Runs as root; skips on
 * a laptop; fails under CI=true if it cannot run.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  describeWith,
  type Link,
  namespaceCapability,
  nextJsonLine,
  startWireguardGo,
  Topology,
  wgKeyPair,
} from '@pathwire/testkit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type DaemonProcess, startDaemon } from './test-support/daemon-process.js';

const TRANSFER = join(
  dirname(createRequire(import.meta.url).resolve('@pathwire/tun')),
  'bench',
  'tcp-transfer.js',
);
const A = '203.0.113.226';
const B = '203.0.113.225';

function config(
  privateKey: string,
  mtu: number,
  address: string,
  peer: string,
  allowed: string,
  endpoint?: string,
) {
  return [
    '[Interface]',
    `PrivateKey = ${privateKey}`,
    'ListenPort = 51820',
    `Address = ${address}/27`,
    `MTU = ${mtu}`,
    '',
    '[Peer]',
    `PublicKey = ${peer}`,
    `AllowedIPs = ${allowed}/32`,
    ...(endpoint ? [`Endpoint = ${endpoint}`] : []),
    '',
  ].join('\n');
}

describeWith(namespaceCapability(['ping', 'wireguard-go', 'wg']), 'any tunnel MTU, both directions', () => {
  const topology = Topology.create();
  let a = '';
  let b = '';
  let link: Link;
  const daemons: DaemonProcess[] = [];
  beforeAll(() => {
    a = topology.namespace('dpma');
    b = topology.namespace('dpmb');
    link = topology.link(a, b);
  });
  // Each case's interfaces go away with it: the next case reuses the addresses and port.
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.stop();
    for (const ns of [a, b]) {
      for (const line of topology.exec(ns, 'ip', ['-o', 'link', 'show', 'type', 'tun']).split('\n')) {
        const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
        if (name) topology.exec(ns, 'ip', ['link', 'del', name]);
      }
    }
  });
  afterAll(() => topology.destroy());

  async function exchange(mtu: number, bytes: number): Promise<void> {
    // Full-size pings with DF, both ways: exactly MTU-byte packets in and out of each TUN.
    const size = String(mtu - 28);
    expect(
      topology.exec(a, 'ping', ['-c', '3', '-i', '0.2', '-W', '5', '-s', size, '-M', 'do', B]),
    ).toContain('3 received');
    expect(
      topology.exec(b, 'ping', ['-c', '3', '-i', '0.2', '-W', '5', '-s', size, '-M', 'do', A]),
    ).toContain('3 received');
    const server = topology.spawn(b, process.execPath, [TRANSFER, 'serve', B, '0']);
    const { listening } = await nextJsonLine(server, 60_000);
    const received = nextJsonLine(server, 120_000);
    const client = topology.spawn(a, process.execPath, [
      TRANSFER,
      'send',
      B,
      String(listening),
      String(bytes),
    ]);
    const sent = await nextJsonLine(client, 120_000);
    expect(await received).toEqual(sent);
    expect(sent.bytes).toBe(bytes);
  }

  for (const [index, mtu] of [1420, 8920, 65_475].entries()) {
    it(`pathwire ↔ pathwire at MTU ${mtu}`, async () => {
      const ka = wgKeyPair();
      const kb = wgKeyPair();
      daemons.push(
        await startDaemon(
          topology,
          b,
          topology.name(`dp${index}b`),
          config(kb.privateKey, mtu, B, ka.publicKey, A),
        ),
      );
      daemons.push(
        await startDaemon(
          topology,
          a,
          topology.name(`dp${index}a`),
          config(ka.privateKey, mtu, A, kb.publicKey, B, `${link.b.ipv4}:51820`),
        ),
      );
      await exchange(mtu, 4 << 20);
    }, 240_000);
  }

  it('pathwire ↔ wireguard-go at MTU 8920', async () => {
    const ka = wgKeyPair();
    const kb = wgKeyPair();
    const stock = await startWireguardGo(topology, b, 'dpwg', {
      privateKey: kb.privateKey,
      listenPort: 51820,
      addresses: [`${B}/27`],
      peers: [{ publicKey: ka.publicKey, allowedIPs: [`${A}/32`] }],
    });
    topology.exec(b, 'ip', ['link', 'set', stock.iface, 'mtu', '8920']);
    daemons.push(
      await startDaemon(
        topology,
        a,
        topology.name('dpwa'),
        config(ka.privateKey, 8920, A, kb.publicKey, B, `${link.b.ipv4}:51820`),
      ),
    );
    await exchange(8920, 4 << 20);
  }, 240_000);
});
