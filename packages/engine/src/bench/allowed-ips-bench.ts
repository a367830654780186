/**
 * Benchmark: allowed-IPs longest-prefix lookups per second (cryptokey routing runs one per
 * packet), IPv4 and IPv6, with 1,000 and 100,000 random prefixes over 100 peers. Addresses
 * are pre-built views (80 % inside some prefix), so the timed loop measures `lookup` only.
 * Prints figures only (never pass/fail). Run the compiled file with node.
 */
import { Random } from '@pathwire/random';
import { AllowedIPs } from '../allowed-ips.js';
import { type IpFamily, ipPrefixFromBytes } from '../ip-prefix.js';

// The library is built without DOM or Node types; the script reads the shared globals directly.
const { performance, console } = globalThis as unknown as {
  performance: { now(): number };
  console: { log(line: string): void };
};

/** A seeded stream so runs replay. */
const prng = (seed: number): (() => number) => Random.fromSeed(seed).toFunction();

interface Peer {
  id: number;
}

const ADDRESSES = 1 << 14;

function run(family: IpFamily, count: number): void {
  const rand = prng(count * 10 + family);
  const size = family === 4 ? 4 : 16;
  const [least, most] = family === 4 ? [8, 32] : [16, 128];
  const peers: Peer[] = Array.from({ length: 100 }, (_, id) => ({ id }));
  const table = new AllowedIPs<Peer>();
  const prefixes = [];
  for (let i = 0; i < count; i++) {
    const bytes = new Uint8Array(size);
    for (let j = 0; j < size; j++) bytes[j] = Math.floor(rand() * 256);
    prefixes.push(ipPrefixFromBytes(bytes, least + Math.floor(rand() * (most - least + 1))));
  }
  const built = performance.now();
  for (const prefix of prefixes) table.insert(prefix, peers[Math.floor(rand() * peers.length)]!);
  const insertMs = performance.now() - built;

  // Addresses: one buffer, one view each, mostly inside a random prefix.
  const buffer = new Uint8Array(ADDRESSES * size);
  const views: Uint8Array[] = [];
  for (let i = 0; i < ADDRESSES; i++) {
    const view = buffer.subarray(i * size, (i + 1) * size);
    for (let j = 0; j < size; j++) view[j] = Math.floor(rand() * 256);
    if (rand() < 0.8) {
      const prefix = prefixes[Math.floor(rand() * prefixes.length)]!;
      for (let bit = 0; bit < prefix.bits; bit++) {
        const mask = 0x80 >>> (bit & 7);
        view[bit >>> 3] = (view[bit >>> 3]! & ~mask) | (prefix.bytes[bit >>> 3]! & mask);
      }
    }
    views.push(view);
  }

  let hits = 0;
  const round = (n: number): number => {
    const start = performance.now();
    for (let i = 0; i < n; i++) if (table.lookup(views[i & (ADDRESSES - 1)]!) !== undefined) hits++;
    return performance.now() - start;
  };
  round(200_000); // warm-up
  const n = 4_000_000;
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) best = Math.min(best, round(n));
  const perSecond = (n / best) * 1000;
  console.log(
    `IPv${family} ${String(count).padStart(7)} prefixes: ${(perSecond / 1e6).toFixed(1).padStart(6)} M lookups/s ` +
      `(${((best * 1e6) / n).toFixed(0)} ns each, hit rate ${((hits / (n * 5 + 200_000)) * 100).toFixed(0)} %), ` +
      `insert ${(((count / insertMs) * 1000) / 1e6).toFixed(2)} M/s`,
  );
}

for (const family of [4, 6] as const) {
  for (const count of [1_000, 100_000]) run(family, count);
}
