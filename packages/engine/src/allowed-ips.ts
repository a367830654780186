/**
 * The allowed-IPs table of cryptokey routing (WireGuard whitepaper §2): each prefix belongs
 * to exactly one peer; an outgoing packet goes to the peer owning the longest prefix that
 * holds its destination, and an incoming packet is accepted only if its source maps back to
 * the peer it came from. Behaviour follows wireguard-go `device/allowedips.go`: one
 * path-compressed binary trie per family, inserting a prefix that another peer holds moves
 * it, and a peer's prefixes are listed in the order they were given to it.
 *
 * Keys are held as four 32-bit words per node so a lookup compares whole words with masks
 * and allocates nothing.
 */
import { type IpFamily, type IpPrefix, IpPrefixError, ipPrefixFromBytes } from './ip-prefix.js';

class TrieNode<T> {
  /** Masked key, big-endian words; IPv4 uses `k0` only. */
  readonly k0: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;
  /** Masks of the first `bits` bits, per word (int32). */
  readonly m0: number;
  readonly m1: number;
  readonly m2: number;
  readonly m3: number;
  /** Word holding bit number `bits` (the branching bit) and its right shift. */
  readonly word: number;
  readonly shift: number;
  c0: TrieNode<T> | null = null;
  c1: TrieNode<T> | null = null;
  parent: TrieNode<T> | null = null;
  /** Whether this node is a table entry (otherwise only a branch). */
  has = false;
  value: T | undefined = undefined;

  constructor(
    readonly family: IpFamily,
    key: readonly number[],
    readonly bits: number,
  ) {
    this.word = bits >>> 5;
    this.shift = 31 - (bits & 31);
    this.m0 = wordMask(bits, 0);
    this.m1 = wordMask(bits, 1);
    this.m2 = wordMask(bits, 2);
    this.m3 = wordMask(bits, 3);
    this.k0 = key[0]! & this.m0;
    this.k1 = (key[1] ?? 0) & this.m1;
    this.k2 = (key[2] ?? 0) & this.m2;
    this.k3 = (key[3] ?? 0) & this.m3;
  }

  key(): number[] {
    return [this.k0, this.k1, this.k2, this.k3];
  }
}

/** Mask (as an int32) of the bits of word `index` that fall within the first `bits` bits. */
function wordMask(bits: number, index: number): number {
  const n = bits - index * 32;
  if (n <= 0) return 0;
  if (n >= 32) return -1;
  return -1 << (32 - n);
}

/** Big-endian 32-bit words of an address (4 or 16 bytes). */
function toWords(bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    words.push((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  return words;
}

/** Number of leading bits `a` and `b` share, at most `limit`. */
function commonBits(a: readonly number[], b: readonly number[], limit: number): number {
  for (let i = 0; i * 32 < limit; i++) {
    const x = (a[i] ?? 0) ^ (b[i] ?? 0);
    if (x !== 0) return Math.min(limit, i * 32 + Math.clz32(x));
  }
  return limit;
}

/** Bit number `bit` (0 = most significant) of a word key. */
function bitAt(key: readonly number[], bit: number): 0 | 1 {
  return (((key[bit >>> 5] ?? 0) >>> (31 - (bit & 31))) & 1) as 0 | 1;
}

/** Longest-prefix-match table from IPv4 and IPv6 prefixes to values (peers). */
export class AllowedIPs<T> {
  private root4: TrieNode<T> | null = null;
  private root6: TrieNode<T> | null = null;
  /** Entry nodes of each value, in the order they were given to it. */
  private readonly byValue = new Map<T, Set<TrieNode<T>>>();
  private count = 0;

  /** Number of prefixes in the table, both families. */
  get size(): number {
    return this.count;
  }

  /**
   * Maps `prefix` to `value`. A prefix belongs to one value only: if another value holds it,
   * it moves to `value` (and to the end of `value`'s list). The prefix is masked first.
   */
  insert(prefix: IpPrefix, value: T): void {
    const { family, bytes, bits } = checked(prefix);
    const key = toWords(bytes);
    let node = family === 4 ? this.root4 : this.root6;
    let parent: TrieNode<T> | null = null;
    while (node !== null && node.bits <= bits && commonBits(node.key(), key, node.bits) === node.bits) {
      if (node.bits === bits) {
        this.assign(node, value);
        return;
      }
      parent = node;
      node = bitAt(key, node.bits) === 1 ? node.c1 : node.c0;
    }
    const entry = new TrieNode<T>(family, key, bits);
    this.assign(entry, value);
    if (node === null) {
      this.attach(family, parent, entry);
      return;
    }
    // `node` (now `down`) diverges from the new prefix before its own length: either the new
    // prefix covers it, or a branch node goes where they part.
    const down = node;
    const split = commonBits(down.key(), key, bits);
    if (split === bits) {
      this.attach(family, parent, entry);
      this.hang(entry, down);
      return;
    }
    const branch = new TrieNode<T>(family, key, split);
    this.attach(family, parent, branch);
    this.hang(branch, down);
    this.hang(branch, entry);
  }

  /** Removes `prefix` (masked first); returns whether it was in the table. */
  remove(prefix: IpPrefix): boolean {
    const node = this.find(checked(prefix));
    if (node === undefined) return false;
    this.unindex(node);
    this.clearEntry(node);
    return true;
  }

  /** Removes every prefix of `value`; returns how many there were. */
  removeValue(value: T): number {
    const set = this.byValue.get(value);
    if (set === undefined) return 0;
    this.byValue.delete(value);
    for (const node of set) this.clearEntry(node);
    return set.size;
  }

  /** The value of the exact prefix, if present. */
  get(prefix: IpPrefix): T | undefined {
    return this.find(checked(prefix))?.value;
  }

  /**
   * The value of the longest prefix holding `address` (4 bytes for IPv4, 16 for IPv6; a
   * subarray is fine), or `undefined`. Any other length gives `undefined`. Allocates nothing.
   */
  lookup(address: Uint8Array): T | undefined {
    if (address.length === 4) return this.lookup4(address);
    if (address.length === 16) return this.lookup6(address);
    return undefined;
  }

  /** The prefixes of `value`, in the order they were given to it (for `wg show`). */
  entriesOf(value: T): IpPrefix[] {
    const set = this.byValue.get(value);
    if (set === undefined) return [];
    return [...set].map((node) => prefixOf(node));
  }

  /** Every prefix with its value, IPv4 before IPv6, each family in address order. */
  *entries(): IterableIterator<[IpPrefix, T]> {
    for (const root of [this.root4, this.root6]) {
      const stack: TrieNode<T>[] = root === null ? [] : [root];
      while (stack.length > 0) {
        const node = stack.pop()!;
        if (node.has) yield [prefixOf(node), node.value as T];
        if (node.c1 !== null) stack.push(node.c1);
        if (node.c0 !== null) stack.push(node.c0);
      }
    }
  }

  private lookup4(address: Uint8Array): T | undefined {
    const a = (address[0]! << 24) | (address[1]! << 16) | (address[2]! << 8) | address[3]!;
    let node = this.root4;
    let found: T | undefined;
    while (node !== null && ((a ^ node.k0) & node.m0) === 0) {
      if (node.has) found = node.value;
      if (node.bits === 32) break;
      node = ((a >>> node.shift) & 1) === 1 ? node.c1 : node.c0;
    }
    return found;
  }

  private lookup6(address: Uint8Array): T | undefined {
    const a0 = (address[0]! << 24) | (address[1]! << 16) | (address[2]! << 8) | address[3]!;
    const a1 = (address[4]! << 24) | (address[5]! << 16) | (address[6]! << 8) | address[7]!;
    const a2 = (address[8]! << 24) | (address[9]! << 16) | (address[10]! << 8) | address[11]!;
    const a3 = (address[12]! << 24) | (address[13]! << 16) | (address[14]! << 8) | address[15]!;
    let node = this.root6;
    let found: T | undefined;
    while (
      node !== null &&
      (((a0 ^ node.k0) & node.m0) |
        ((a1 ^ node.k1) & node.m1) |
        ((a2 ^ node.k2) & node.m2) |
        ((a3 ^ node.k3) & node.m3)) ===
        0
    ) {
      if (node.has) found = node.value;
      if (node.bits === 128) break;
      const w = node.word;
      const x = w === 0 ? a0 : w === 1 ? a1 : w === 2 ? a2 : a3;
      node = ((x >>> node.shift) & 1) === 1 ? node.c1 : node.c0;
    }
    return found;
  }

  /** The entry node of exactly `prefix`, if any. */
  private find(prefix: IpPrefix): TrieNode<T> | undefined {
    const key = toWords(prefix.bytes);
    let node = prefix.family === 4 ? this.root4 : this.root6;
    while (
      node !== null &&
      node.bits <= prefix.bits &&
      commonBits(node.key(), key, node.bits) === node.bits
    ) {
      if (node.bits === prefix.bits) return node.has ? node : undefined;
      node = bitAt(key, node.bits) === 1 ? node.c1 : node.c0;
    }
    return undefined;
  }

  /** Makes `node` an entry of `value`, taking it from its previous value if any. */
  private assign(node: TrieNode<T>, value: T): void {
    if (node.has) {
      if (node.value === value) return;
      this.unindex(node);
    } else {
      this.count++;
    }
    node.has = true;
    node.value = value;
    let set = this.byValue.get(value);
    if (set === undefined) {
      set = new Set();
      this.byValue.set(value, set);
    }
    set.add(node);
  }

  /** Drops the entry `node` from its value's list. */
  private unindex(node: TrieNode<T>): void {
    const value = node.value as T;
    const set = this.byValue.get(value)!;
    set.delete(node);
    if (set.size === 0) this.byValue.delete(value);
  }

  /**
   * Turns an entry back into a plain node and prunes the trie so that every node without a
   * value keeps two children.
   */
  private clearEntry(node: TrieNode<T>): void {
    node.has = false;
    node.value = undefined;
    this.count--;
    if (node.c0 !== null && node.c1 !== null) return;
    const child = node.c0 ?? node.c1;
    const parent = node.parent;
    this.replace(node, child);
    if (child !== null || parent === null || parent.has) return;
    // `parent` lost a child and carries no value: splice it out too.
    this.replace(parent, parent.c0 ?? parent.c1);
  }

  /** Puts `next` where `node` hangs (its parent's slot or the family root). */
  private replace(node: TrieNode<T>, next: TrieNode<T> | null): void {
    const parent = node.parent;
    if (next !== null) next.parent = parent;
    node.parent = null;
    if (parent === null) {
      if (node.family === 4) this.root4 = next;
      else this.root6 = next;
    } else if (parent.c0 === node) {
      parent.c0 = next;
    } else {
      parent.c1 = next;
    }
  }

  /** Hangs `node` under `parent` (or as the family root when `parent` is null). */
  private attach(family: IpFamily, parent: TrieNode<T> | null, node: TrieNode<T>): void {
    node.parent = parent;
    if (parent === null) {
      if (family === 4) this.root4 = node;
      else this.root6 = node;
    } else {
      this.hang(parent, node);
    }
  }

  /** Sets `child` as the child of `parent` on the side of `child`'s bit at `parent.bits`. */
  private hang(parent: TrieNode<T>, child: TrieNode<T>): void {
    child.parent = parent;
    if (bitAt(child.key(), parent.bits) === 1) parent.c1 = child;
    else parent.c0 = child;
  }
}

function checked(prefix: IpPrefix): IpPrefix {
  const length = prefix.family === 4 ? 4 : prefix.family === 6 ? 16 : -1;
  if (prefix.bytes.length !== length) {
    throw new IpPrefixError(
      'BAD_ADDRESS',
      `an IPv${prefix.family} prefix needs ${length} address bytes, got ${prefix.bytes.length}`,
    );
  }
  return ipPrefixFromBytes(prefix.bytes, prefix.bits);
}

function prefixOf<T>(node: TrieNode<T>): IpPrefix {
  const bytes = new Uint8Array(node.family === 4 ? 4 : 16);
  const words = node.key();
  for (let i = 0; i < bytes.length; i++) bytes[i] = (words[i >>> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  return { family: node.family, bytes, bits: node.bits };
}
