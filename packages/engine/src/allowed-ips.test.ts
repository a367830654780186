import { Random } from '@pathwire/random';
import { describe, expect, it } from 'vitest';
import { AllowedIPs } from './allowed-ips.js';
import {
  formatIpPrefix,
  type IpFamily,
  type IpPrefix,
  IpPrefixError,
  ipPrefixContains,
  ipPrefixFromBytes,
  parseIpAddress,
  parseIpPrefix,
} from './ip-prefix.js';

/** A seeded stream so runs replay. */
const prng = (seed: number): (() => number) => Random.fromSeed(seed).toFunction();

const p = parseIpPrefix;
const ip = (text: string): Uint8Array => parseIpAddress(text).bytes;
const texts = (prefixes: IpPrefix[]): string[] => prefixes.map(formatIpPrefix);

describe('AllowedIPs: basics', () => {
  it('longest prefix wins', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.0.0.0/8'), 'a');
    t.insert(p('10.1.0.0/16'), 'b');
    t.insert(p('10.1.2.0/24'), 'c');
    t.insert(p('10.1.2.3'), 'd');
    expect(t.lookup(ip('10.9.9.9'))).toBe('a');
    expect(t.lookup(ip('10.1.9.9'))).toBe('b');
    expect(t.lookup(ip('10.1.2.9'))).toBe('c');
    expect(t.lookup(ip('10.1.2.3'))).toBe('d');
    expect(t.lookup(ip('11.0.0.0'))).toBeUndefined();
    expect(t.size).toBe(4);
  });

  it('insertion order does not matter', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.1.2.3'), 'd');
    t.insert(p('10.1.2.0/24'), 'c');
    t.insert(p('10.0.0.0/8'), 'a');
    t.insert(p('10.1.0.0/16'), 'b');
    expect(t.lookup(ip('10.9.9.9'))).toBe('a');
    expect(t.lookup(ip('10.1.9.9'))).toBe('b');
    expect(t.lookup(ip('10.1.2.9'))).toBe('c');
    expect(t.lookup(ip('10.1.2.3'))).toBe('d');
  });

  it('/0 is the default route, per family', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('0.0.0.0/0'), 'v4');
    t.insert(p('::/0'), 'v6');
    t.insert(p('192.168.0.0/16'), 'lan');
    expect(t.lookup(ip('8.8.8.8'))).toBe('v4');
    expect(t.lookup(ip('0.0.0.0'))).toBe('v4');
    expect(t.lookup(ip('255.255.255.255'))).toBe('v4');
    expect(t.lookup(ip('192.168.1.1'))).toBe('lan');
    expect(t.lookup(ip('2001:db8::1'))).toBe('v6');
    expect(t.lookup(ip('::'))).toBe('v6');
    expect(t.lookup(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe('v6');
  });

  it('host routes match only their address', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('192.0.2.1'), 'h4');
    t.insert(p('2001:db8::1'), 'h6');
    expect(t.lookup(ip('192.0.2.1'))).toBe('h4');
    expect(t.lookup(ip('192.0.2.0'))).toBeUndefined();
    expect(t.lookup(ip('192.0.2.3'))).toBeUndefined();
    expect(t.lookup(ip('2001:db8::1'))).toBe('h6');
    expect(t.lookup(ip('2001:db8::'))).toBeUndefined();
    expect(t.lookup(ip('2001:db8::3'))).toBeUndefined();
  });

  it('keeps IPv4 and IPv6 apart (including IPv4-mapped IPv6)', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.0.0.0/8'), 'v4');
    expect(t.lookup(ip('::ffff:10.0.0.1'))).toBeUndefined();
    expect(t.lookup(ip('a00::'))).toBeUndefined();
    t.insert(p('::ffff:10.0.0.0/104'), 'mapped');
    t.insert(p('::/0'), 'v6');
    expect(t.lookup(ip('10.0.0.1'))).toBe('v4');
    expect(t.lookup(ip('::ffff:10.0.0.1'))).toBe('mapped');
    expect(t.lookup(ip('11.0.0.1'))).toBeUndefined();
    t.remove(p('10.0.0.0/8'));
    expect(t.lookup(ip('10.0.0.1'))).toBeUndefined();
    expect(t.lookup(ip('::ffff:10.0.0.1'))).toBe('mapped');
  });

  it('looks up subarray views and ignores other lengths', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('192.0.2.0/24'), 'a');
    t.insert(p('2001:db8::/32'), 'b');
    const buffer = new Uint8Array(64);
    buffer.set([192, 0, 2, 7], 12);
    expect(t.lookup(buffer.subarray(12, 16))).toBe('a');
    buffer.set(ip('2001:db8::7'), 24);
    expect(t.lookup(buffer.subarray(24, 40))).toBe('b');
    expect(t.lookup(new Uint8Array(0))).toBeUndefined();
    expect(t.lookup(new Uint8Array(5))).toBeUndefined();
  });

  it('masks prefixes on insert', () => {
    const t = new AllowedIPs<string>();
    t.insert({ family: 4, bytes: new Uint8Array([10, 1, 2, 3]), bits: 8 }, 'a');
    expect(texts(t.entriesOf('a'))).toEqual(['10.0.0.0/8']);
    expect(t.get(p('10.0.0.0/8'))).toBe('a');
    expect(t.lookup(ip('10.200.0.1'))).toBe('a');
  });

  it('rejects malformed prefix objects', () => {
    const t = new AllowedIPs<string>();
    expect(() => t.insert({ family: 4, bytes: new Uint8Array(16), bits: 8 }, 'a')).toThrow(
      new IpPrefixError('BAD_ADDRESS', 'an IPv4 prefix needs 4 address bytes, got 16'),
    );
    expect(() => t.insert({ family: 6, bytes: new Uint8Array(16), bits: 129 }, 'a')).toThrow(
      new IpPrefixError('BAD_PREFIX_LENGTH', 'prefix length must be 0 to 128, got 129'),
    );
    expect(t.size).toBe(0);
  });
});

describe('AllowedIPs: ownership', () => {
  it('inserting a prefix for another value moves it', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.0.0.0/24'), 'a');
    t.insert(p('10.0.1.0/24'), 'a');
    t.insert(p('10.0.0.0/24'), 'b');
    expect(t.lookup(ip('10.0.0.1'))).toBe('b');
    expect(t.lookup(ip('10.0.1.1'))).toBe('a');
    expect(texts(t.entriesOf('a'))).toEqual(['10.0.1.0/24']);
    expect(texts(t.entriesOf('b'))).toEqual(['10.0.0.0/24']);
    expect(t.size).toBe(2);
  });

  it('a move from a value leaving it empty forgets the value', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.0.0.0/24'), 'a');
    t.insert(p('10.0.0.0/24'), 'b');
    expect(t.entriesOf('a')).toEqual([]);
    expect(t.removeValue('a')).toBe(0);
    expect(t.lookup(ip('10.0.0.1'))).toBe('b');
  });

  it('re-inserting for the same value changes nothing', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.0.0.0/24'), 'a');
    t.insert(p('10.0.1.0/24'), 'a');
    t.insert(p('10.0.0.0/24'), 'a');
    expect(texts(t.entriesOf('a'))).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(t.size).toBe(2);
  });

  it('entriesOf lists a value’s prefixes in the order it received them, moves appended', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.0.0.0/8'), 'a');
    t.insert(p('2001:db8::/32'), 'a');
    t.insert(p('192.168.0.0/16'), 'b');
    t.insert(p('172.16.0.0/12'), 'a');
    t.insert(p('192.168.0.0/16'), 'a');
    t.insert(p('10.0.0.0/8'), 'b');
    expect(texts(t.entriesOf('a'))).toEqual(['2001:db8::/32', '172.16.0.0/12', '192.168.0.0/16']);
    expect(texts(t.entriesOf('b'))).toEqual(['10.0.0.0/8']);
    expect(t.entriesOf('nobody')).toEqual([]);
  });

  it('removeValue removes every prefix of a value and nothing else', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('0.0.0.0/0'), 'a');
    t.insert(p('10.0.0.0/8'), 'b');
    t.insert(p('10.1.0.0/16'), 'a');
    t.insert(p('10.1.1.0/24'), 'b');
    t.insert(p('::/0'), 'a');
    t.insert(p('fd00::/8'), 'b');
    expect(t.removeValue('a')).toBe(3);
    expect(t.size).toBe(3);
    expect(t.entriesOf('a')).toEqual([]);
    expect(t.lookup(ip('8.8.8.8'))).toBeUndefined();
    expect(t.lookup(ip('10.1.2.3'))).toBe('b');
    expect(t.lookup(ip('10.1.1.3'))).toBe('b');
    expect(t.lookup(ip('2001:db8::1'))).toBeUndefined();
    expect(t.lookup(ip('fd00::1'))).toBe('b');
    checkShape(t);
    expect(t.removeValue('b')).toBe(3);
    expect(t.size).toBe(0);
    expect(checkShape(t)).toBe(0);
    expect([...t.entries()]).toEqual([]);
  });

  it('remove takes out one prefix and keeps shorter covering ones', () => {
    const t = new AllowedIPs<string>();
    t.insert(p('10.0.0.0/8'), 'a');
    t.insert(p('10.1.0.0/16'), 'b');
    expect(t.remove(p('10.1.0.0/16'))).toBe(true);
    expect(t.remove(p('10.1.0.0/16'))).toBe(false);
    expect(t.remove(p('10.0.0.0/9'))).toBe(false);
    expect(t.remove(p('::/0'))).toBe(false);
    expect(t.lookup(ip('10.1.2.3'))).toBe('a');
    expect(t.entriesOf('b')).toEqual([]);
    expect(t.size).toBe(1);
  });

  it('works with object values (peers)', () => {
    const alice = { name: 'alice' };
    const bob = { name: 'bob' };
    const t = new AllowedIPs<{ name: string }>();
    t.insert(p('10.0.0.2'), alice);
    t.insert(p('10.0.0.3'), bob);
    expect(t.lookup(ip('10.0.0.2'))).toBe(alice);
    expect(t.lookup(ip('10.0.0.3'))).toBe(bob);
  });
});

/**
 * A random prefix of `family`: often an extension of one already in `pool` (same family) (so prefixes nest
 * and branch at every depth), otherwise random bits under a few shared first bytes.
 */
function randomPrefix(rand: () => number, family: IpFamily, pool: readonly IpPrefix[]): IpPrefix {
  const size = family === 4 ? 4 : 16;
  const max = size * 8;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(rand() * 256);
  bytes[0] = [10, 172, 192, 0x20][Math.floor(rand() * 4)]!;
  let least = 0;
  if (pool.length > 0 && rand() < 0.6) {
    const base = pool[Math.floor(rand() * pool.length)]!;
    copyBits(bytes, base);
    least = base.bits;
  }
  const r = rand();
  const bits =
    r < 0.03 ? Math.floor(rand() * 4) : r < 0.15 ? max : least + Math.floor(rand() * (max - least + 1));
  return ipPrefixFromBytes(bytes, bits);
}

/** Copies the first `prefix.bits` bits of `prefix` into `bytes`. */
function copyBits(bytes: Uint8Array, prefix: IpPrefix): void {
  for (let bit = 0; bit < prefix.bits; bit++) {
    const byte = bit >>> 3;
    const mask = 0x80 >>> (bit & 7);
    bytes[byte] = (bytes[byte]! & ~mask) | (prefix.bytes[byte]! & mask);
  }
}

/** An address near the prefixes: usually inside a random one, sometimes fully random. */
function randomAddress(rand: () => number, family: IpFamily, near: IpPrefix[]): Uint8Array {
  const size = family === 4 ? 4 : 16;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(rand() * 256);
  if (near.length > 0 && rand() < 0.8) {
    const base = near[Math.floor(rand() * near.length)]!;
    // Keep the prefix bits, sometimes flipping the last one to land just outside.
    copyBits(bytes, base);
    if (base.bits > 0 && rand() < 0.2) {
      const bit = base.bits - 1;
      bytes[bit >>> 3] = bytes[bit >>> 3]! ^ (0x80 >>> (bit & 7));
    }
  }
  return bytes;
}

const keyOf = (prefix: IpPrefix): string => formatIpPrefix(prefix);

interface NodeView {
  bits: number;
  has: boolean;
  c0: NodeView | null;
  c1: NodeView | null;
  parent: NodeView | null;
}

/**
 * White-box check of the trie shape: lengths grow downwards, parent links are right, and
 * every node without a value branches two ways (so removals leave no dead nodes behind).
 * Returns the number of nodes.
 */
function checkShape(table: AllowedIPs<unknown>): number {
  const roots = table as unknown as { root4: NodeView | null; root6: NodeView | null };
  let nodes = 0;
  const visit = (node: NodeView | null, parent: NodeView | null): void => {
    if (node === null) return;
    nodes++;
    expect(node.parent).toBe(parent);
    if (parent !== null) expect(node.bits).toBeGreaterThan(parent.bits);
    if (!node.has) expect(node.c0 !== null && node.c1 !== null).toBe(true);
    visit(node.c0, node);
    visit(node.c1, node);
  };
  visit(roots.root4, null);
  visit(roots.root6, null);
  return nodes;
}

/** Linear scan: the longest prefix of the reference list holding `address`. */
function bruteLookup(reference: Map<string, [IpPrefix, number]>, address: Uint8Array): number | undefined {
  let best: [IpPrefix, number] | undefined;
  for (const entry of reference.values()) {
    if (ipPrefixContains(entry[0], address) && (best === undefined || entry[0].bits > best[0].bits)) {
      best = entry;
    }
  }
  return best?.[1];
}

describe('AllowedIPs against a brute-force reference', () => {
  for (const seed of [1, 2, 3]) {
    it(`agrees on random prefixes, moves and removals (seed ${seed})`, () => {
      const rand = prng(seed);
      const t = new AllowedIPs<number>();
      const reference = new Map<string, [IpPrefix, number]>();
      const pool: IpPrefix[] = [];
      const pools: Record<IpFamily, IpPrefix[]> = { 4: [], 6: [] };
      const VALUES = 50;

      // Until 2,000 prefixes per family are live: new prefixes, with moves, removals and
      // whole-value removals in between.
      const live = { 4: 0, 6: 0 };
      const put = (prefix: IpPrefix, value: number): void => {
        t.insert(prefix, value);
        if (!reference.has(keyOf(prefix))) live[prefix.family]++;
        reference.set(keyOf(prefix), [prefix, value]);
      };
      while (live[4] < 2000 || live[6] < 2000) {
        const r = rand();
        if (r < 0.75 || pool.length === 0) {
          const family: IpFamily = live[4] >= 2000 ? 6 : live[6] >= 2000 ? 4 : rand() < 0.5 ? 4 : 6;
          const prefix = randomPrefix(rand, family, pools[family]);
          put(prefix, Math.floor(rand() * VALUES));
          pools[family].push(prefix);
          pool.push(prefix);
        } else if (r < 0.87) {
          // Move (or re-add) a known prefix to a random value.
          put(pool[Math.floor(rand() * pool.length)]!, Math.floor(rand() * VALUES));
        } else if (r < 0.998) {
          const prefix = pool[Math.floor(rand() * pool.length)]!;
          const present = reference.delete(keyOf(prefix));
          if (present) live[prefix.family]--;
          expect(t.remove(prefix)).toBe(present);
        } else {
          const value = Math.floor(rand() * VALUES);
          let expected = 0;
          for (const [key, entry] of reference) {
            if (entry[1] === value) {
              reference.delete(key);
              live[entry[0].family]--;
              expected++;
            }
          }
          expect(t.removeValue(value)).toBe(expected);
        }
        if (pool.length % 500 === 0) expect(t.size).toBe(reference.size);
      }
      const prefixes = [...reference.values()].map(([prefix]) => prefix);
      expect(prefixes.filter((x) => x.family === 4).length).toBe(live[4]);
      expect(t.size).toBe(reference.size);
      // A path-compressed trie holds fewer than two nodes per entry.
      expect(checkShape(t)).toBeLessThan(2 * t.size);

      // Exact contents, per value and as a whole.
      for (let value = 0; value < VALUES; value++) {
        const expected = [...reference.values()].filter(([, v]) => v === value).map(([x]) => keyOf(x));
        expect(texts(t.entriesOf(value)).sort()).toEqual(expected.sort());
      }
      expect([...t.entries()].map(([x, v]) => `${keyOf(x)}=${v}`).sort()).toEqual(
        [...reference.values()].map(([x, v]) => `${keyOf(x)}=${v}`).sort(),
      );

      for (const family of [4, 6] as const) {
        const near = prefixes.filter((x) => x.family === family);
        let hits = 0;
        for (let i = 0; i < 10_000; i++) {
          const address = randomAddress(rand, family, near);
          const expected = bruteLookup(reference, address);
          const got = t.lookup(address);
          if (got !== expected) {
            throw new Error(
              `lookup ${formatIpPrefix(ipPrefixFromBytes(address, family === 4 ? 32 : 128))}: got ${got}, want ${expected}`,
            );
          }
          if (expected !== undefined) hits++;
        }
        // Most addresses should land inside some prefix, so the check exercises matches.
        expect(hits).toBeGreaterThan(5000);
      }

      // Emptying the table leaves no trace.
      for (let value = 0; value < VALUES; value++) t.removeValue(value);
      expect(t.size).toBe(0);
      expect(checkShape(t)).toBe(0);
      expect([...t.entries()]).toEqual([]);
      expect(t.lookup(new Uint8Array(4))).toBeUndefined();
      expect(t.lookup(new Uint8Array(16))).toBeUndefined();
      // A CPU-bound check: its duration says nothing about correctness, so a busy machine gets time.
    }, 600_000);
  }
});
