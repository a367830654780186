/**
 * TUN offloads against the real kernel: two TUNs in two namespaces of the test's own, joined
 * by this process (what one reads, the other writes, batch by batch), and a real TCP transfer
 * through them at several MTUs. The sender's kernel hands over TSO super-packets, which the
 * addon splits; the split segments, written as a batch, are coalesced into super-packets the
 * receiver's kernel segments again. Asserted: the exact bytes arrive, and both offload paths
 * were taken. Runs as root; skips on a laptop; fails under CI=true if it cannot run.
 */
import { fileURLToPath } from 'node:url';
import { describeWith, namespaceCapability, nextJsonLine, Topology } from '@pathwire/testkit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type LinuxTun, openTun } from './linux-tun.js';

const TRANSFER = fileURLToPath(new URL('../dist/bench/tcp-transfer.js', import.meta.url));

describeWith(namespaceCapability(), 'TUN offloads with real TCP between two namespaces', () => {
  const topology = Topology.create();
  let a = '';
  let b = '';
  const opened: LinuxTun[] = [];

  beforeAll(() => {
    a = topology.namespace('dpa');
    b = topology.namespace('dpb');
    for (const ns of [a, b]) topology.exec(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=0']);
  });
  // Each test's pair goes away with it: the next pair reuses the addresses.
  afterEach(() => {
    for (const tun of opened.splice(0)) tun.close();
  });
  afterAll(() => topology.destroy());

  /** A TUN in each namespace, each one's reads written into the other. */
  function joinedPair(mtu: number, tag: string): [LinuxTun, LinuxTun] {
    const left = openTun({
      netns: a,
      name: topology.name(`dp${tag}a`),
      mtu,
      addresses: ['203.0.113.225/27', 'fd00:7077:ffff::1/64'],
    });
    opened.push(left);
    const right = openTun({
      netns: b,
      name: topology.name(`dp${tag}b`),
      mtu,
      addresses: ['203.0.113.226/27', 'fd00:7077:ffff::2/64'],
    });
    opened.push(right);
    left.onBatch((batch) => {
      right.writeBatch(batch.buffer, batch.offsets, batch.lengths, batch.count);
      return true;
    });
    right.onBatch((batch) => {
      left.writeBatch(batch.buffer, batch.offsets, batch.lengths, batch.count);
      return true;
    });
    return [left, right];
  }

  async function transfer(to: string, bytes: number): Promise<void> {
    const server = topology.spawn(b, process.execPath, [TRANSFER, 'serve', to, '0']);
    const { listening } = await nextJsonLine(server);
    const received = nextJsonLine(server, 120_000);
    const client = topology.spawn(a, process.execPath, [
      TRANSFER,
      'send',
      to,
      String(listening),
      String(bytes),
    ]);
    const sent = await nextJsonLine(client, 120_000);
    expect(await received).toEqual(sent);
    expect(sent.bytes).toBe(bytes);
  }

  for (const [index, [mtu, family]] of (
    [
      [1420, 4],
      [1420, 6],
      [8920, 4],
      [65_535, 4],
    ] as const
  ).entries()) {
    // At MTU 65535 a segment is as large as a super-packet may be: no TSO, plain packets only.
    const offloaded = mtu < 32_768;
    it(`carries ${family === 4 ? 'IPv4' : 'IPv6'} TCP byte for byte at MTU ${mtu}${offloaded ? ', splitting and coalescing' : ''}`, async () => {
      const [left, right] = joinedPair(mtu, String(index));
      expect(left.offloads).toMatchObject({ vnetHeader: true, checksum: true, tso4: true, tso6: true });
      await transfer(family === 4 ? '203.0.113.226' : 'fd00:7077:ffff::2', 16 << 20);
      // The sender's kernel handed over super-packets, split here, and the receiver got
      // coalesced ones; packets and bytes are what the transfer's hash already proved.
      if (offloaded) {
        expect(left.stats().superPacketsRead).toBeGreaterThan(0);
        expect(right.stats().superPacketsWritten).toBeGreaterThan(0);
      }
      expect(left.stats().dropped + right.stats().dropped).toBe(0);
    }, 180_000);
  }
});
