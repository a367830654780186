/**
 * Benchmark: packets/s written and read through the addon at batch sizes 1, 32 and 128,
 * against a plain fs.writeSync / fs.readSync loop on the same kind of fd, 1420-byte packets.
 *
 * Setup (root, a private network namespace): two TUNs, A and B, with IPv4 forwarding on.
 * Packets written into A are addressed to a prefix routed into B, so the kernel forwards them
 * and queues them on B: the write side is the cost of handing packets to the kernel, the read
 * side is fed by the kernel. Each round writes N packets into A (timed), then drains N from B
 * (timed); B's queue is made large enough that nothing is dropped (checked). Prints figures
 * and ratios, never passes or fails on them.
 *
 * Run: pnpm --filter @pathwire/tun bench   (as root)
 */
import { execFileSync } from 'node:child_process';
import { readSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { writeUdp4 } from '../ip-packet.js';
import { type LinuxTun, openTun } from '../linux-tun.js';

const PACKET = 1420;
const PER_ROUND = 8192;
const ROUNDS = Number(process.env.PATHWIRE_BENCH_ROUNDS ?? 6);
const BATCH_SIZES = [1, 32, 128] as const;

type Mode = { kind: 'fs' } | { kind: 'addon'; batch: number };

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function txStats(ns: string, ifname: string): { packets: number; dropped: number } {
  const [link] = JSON.parse(ip(['-n', ns, '-j', '-s', 'link', 'show', 'dev', ifname])) as {
    stats64: { tx: { packets: number; dropped: number } };
  }[];
  return link!.stats64.tx;
}

/** `count` packets, each PACKET bytes, 10.201.0.2 -> 10.203.x.y (routed into B). */
function makePackets(count: number): { buffer: Uint8Array; offsets: Uint32Array; lengths: Uint32Array } {
  const buffer = new Uint8Array(count * PACKET);
  const offsets = new Uint32Array(count);
  const lengths = new Uint32Array(count).fill(PACKET);
  for (let i = 0; i < count; i++) {
    offsets[i] = i * PACKET;
    writeUdp4(buffer, i * PACKET, PACKET, [10, 201, 0, 2], [10, 203, (i >> 8) & 0xff, i & 0xff], 40000, 9);
  }
  return { buffer, offsets, lengths };
}

function writeRound(a: LinuxTun, mode: Mode, packets: ReturnType<typeof makePackets>): number {
  const started = performance.now();
  if (mode.kind === 'fs') {
    const fd = a.fd;
    for (let i = 0; i < PER_ROUND; i++) writeSync(fd, packets.buffer, packets.offsets[i % 128]!, PACKET);
  } else {
    for (let sent = 0; sent < PER_ROUND; ) {
      const count = Math.min(mode.batch, PER_ROUND - sent);
      const written = a.writeBatch(packets.buffer, packets.offsets, packets.lengths, count);
      if (written === 0) throw new Error('the kernel refused writes');
      sent += written;
    }
  }
  return performance.now() - started;
}

async function readRound(b: LinuxTun, mode: Mode, expected: number): Promise<number> {
  if (mode.kind === 'fs') {
    const fd = b.fd;
    const buffer = new Uint8Array(1500);
    let read = 0;
    const started = performance.now();
    while (read < expected) {
      try {
        readSync(fd, buffer, 0, 1500, null);
        read++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    }
    return performance.now() - started;
  }
  return new Promise((resolve, reject) => {
    let read = 0;
    let started = 0;
    const timeout = setTimeout(
      () => reject(new Error(`read only ${read} of ${expected}: ${JSON.stringify(b.stats())}`)),
      10_000,
    );
    b.onBatch((batch) => {
      read += batch.count;
      if (read >= expected) {
        clearTimeout(timeout);
        resolve(performance.now() - started);
        return false;
      }
      return undefined;
    });
    started = performance.now();
    b.resume();
  });
}

async function measure(
  ns: string,
  mode: Mode,
): Promise<{ writePps: number; readPps: number; meanBatch: number }> {
  const batch = mode.kind === 'fs' ? 1 : mode.batch;
  const a = openTun({
    name: 'pwbenchA',
    netns: ns,
    mtu: 1500,
    addresses: ['10.201.0.1/24'],
    batchSize: batch,
  });
  const b = openTun({
    name: 'pwbenchB',
    netns: ns,
    mtu: 1500,
    addresses: ['10.202.0.1/24'],
    routes: ['10.203.0.0/16'],
    batchSize: batch,
  });
  try {
    ip(['-n', ns, 'link', 'set', 'dev', b.name, 'txqueuelen', String(PER_ROUND * 2)]);
    const packets = makePackets(128);
    let writeMs = 0;
    let readMs = 0;
    for (let round = -1; round < ROUNDS; round++) {
      const w = writeRound(a, mode, packets);
      const r = await readRound(b, mode, PER_ROUND);
      if (round >= 0) {
        writeMs += w;
        readMs += r;
      }
    }
    const tx = txStats(ns, b.name);
    if (tx.dropped !== 0) console.warn(`  note: the kernel dropped ${tx.dropped} packets on ${b.name}`);
    const stats = b.stats();
    return {
      writePps: (PER_ROUND * ROUNDS) / (writeMs / 1000),
      readPps: (PER_ROUND * ROUNDS) / (readMs / 1000),
      meanBatch: mode.kind === 'fs' ? 1 : stats.packetsRead / Math.max(1, stats.batchesRead),
    };
  } finally {
    a.close();
    b.close();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('tun-bench needs root (TUNs in a private network namespace); skipped.');
    return;
  }
  const ns = `pwbench${process.pid}`;
  ip(['netns', 'add', ns]);
  const cleanup = () => {
    try {
      ip(['netns', 'del', ns]);
    } catch {}
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    for (const setting of [
      'net.ipv4.ip_forward=1',
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.default.rp_filter=0',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]) {
      execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', setting]);
    }
    console.log(
      `@pathwire/tun bench: ${PACKET}-byte IPv4/UDP packets, ${ROUNDS} rounds x ${PER_ROUND} packets, ` +
        `write into TUN A -> kernel forwards -> read from TUN B (node ${process.version})`,
    );
    const modes: Mode[] = [
      { kind: 'fs' },
      ...BATCH_SIZES.map((batch) => ({ kind: 'addon' as const, batch })),
    ];
    const results: { label: string; writePps: number; readPps: number; meanBatch: number }[] = [];
    for (const mode of modes) {
      const label = mode.kind === 'fs' ? 'fs.writeSync/readSync loop' : `addon, batch ${mode.batch}`;
      results.push({ label, ...(await measure(ns, mode)) });
    }
    const base = results[0]!;
    const pad = (text: string, width: number) => text.padStart(width);
    const kpps = (pps: number) => `${(pps / 1000).toFixed(0)} k`;
    console.log(
      `\n| ${'mode'.padEnd(26)} | ${pad('write pkt/s', 11)} | ${pad('vs fs', 6)} | ${pad('read pkt/s', 11)} | ${pad('vs fs', 6)} | ${pad('pkts/wake', 9)} |`,
    );
    console.log(
      `|${'-'.repeat(28)}|${'-'.repeat(13)}|${'-'.repeat(8)}|${'-'.repeat(13)}|${'-'.repeat(8)}|${'-'.repeat(11)}|`,
    );
    for (const r of results) {
      console.log(
        `| ${r.label.padEnd(26)} | ${pad(kpps(r.writePps), 11)} | ${pad(`${(r.writePps / base.writePps).toFixed(2)}x`, 6)} | ` +
          `${pad(kpps(r.readPps), 11)} | ${pad(`${(r.readPps / base.readPps).toFixed(2)}x`, 6)} | ${pad(r.meanBatch.toFixed(1), 9)} |`,
      );
    }
  } finally {
    cleanup();
  }
}

await main();
