import { describe, expect, it } from 'vitest';
import { Random } from './random.js';

describe('Random (xoshiro128**)', () => {
  it('matches the reference C implementation from state {1, 2, 3, 4}', () => {
    // Output of xoshiro128starstar.c (prng.di.unimi.it) compiled with gcc.
    const r = new Random(1, 2, 3, 4);
    const out = Array.from({ length: 6 }, () => r.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('replays a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const r = Random.fromSeed(seed);
      return Array.from({ length: 8 }, () => r.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('is uniform enough in [0, 1)', () => {
    const r = Random.fromSeed(9);
    let sum = 0;
    let outside = 0;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      buckets[Math.floor(x * 10)]!++;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('forks independent, reproducible streams by label', () => {
    const root = Random.fromSeed(5);
    const a1 = root.fork('a').next();
    const a2 = Random.fromSeed(5).fork('a').next();
    const b = root.fork('b').next();
    expect(a1).toBe(a2);
    expect(a1).not.toBe(b);
  });
});

describe('Random.nextBytes', () => {
  it('writes successive draws big-endian', () => {
    const words = Random.fromSeed(5);
    const expected = new Uint8Array(32);
    for (let i = 0; i < 32; i += 4) new DataView(expected.buffer).setUint32(i, words.nextUint32());
    expect(Random.fromSeed(5).nextBytes(32)).toEqual(expected);
    expect(Random.fromSeed(5).nextBytes(6)).toEqual(expected.subarray(0, 6));
  });

  it('toFunction draws from the same stream as next()', () => {
    const a = Random.fromSeed(11);
    const f = Random.fromSeed(11).toFunction();
    expect([f(), f(), f()]).toEqual([a.next(), a.next(), a.next()]);
  });
});
