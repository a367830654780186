/**
 * Seeded pseudo-random numbers: xoshiro128** 1.1 (Blackman and Vigna, prng.di.unimi.it),
 * state filled from a 32-bit seed with splitmix32. `fork(label)` derives an independent
 * stream, so adding a path or a node does not shift the draws of the others. Not for secrets:
 * keys and nonces come from the crypto backend's CSPRNG.
 *
 * Pure: no `node:` import, no `Math.random`.
 */

function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a over the UTF-16 code units of `text`. */
function hashLabel(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * @example
 * ```ts
 * import { Random } from '@pathwire/random';
 * const random = Random.fromSeed(42);
 * random.next(); // same value on every run: uniform in [0, 1)
 * const jitter = random.fork('jitter'); // independent stream
 * const key = Random.fromSeed(7).nextBytes(32); // a deterministic test key
 * ```
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A stream from a 32-bit seed. */
  static fromSeed(seed: number): Random {
    let state = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state);
      state = next;
      words.push(out);
    }
    return new Random(words[0]!, words[1]!, words[2]!, words[3]!);
  }

  /** A stream from raw state words (not all zero); used for reference vectors. */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    if ((s0 | s1 | s2 | s3) === 0) s3 = 1;
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** `length` bytes: successive `nextUint32()` draws written big-endian (the last one cut short). */
  nextBytes(length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.nextUint32();
      for (let j = 0; j < 4 && i + j < length; j++) bytes[i + j] = word >>> (24 - 8 * j);
    }
    return bytes;
  }

  /** A function drawing uniform numbers in [0, 1) from this stream (for `random: () => number` options). */
  toFunction(): () => number {
    return () => this.next();
  }

  /** A new independent stream derived from this stream's seed material and `label`. */
  fork(label: string): Random {
    const mixed = (this.s0 ^ Math.imul(this.s1, 31) ^ Math.imul(this.s2, 961) ^ this.s3) >>> 0;
    return Random.fromSeed((mixed ^ hashLabel(label)) | 0);
  }
}
