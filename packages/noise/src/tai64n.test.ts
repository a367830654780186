import { bytesToHex } from '@pathwire/crypto';
import { describe, expect, it } from 'vitest';
import { tai64n, timestampAfter } from './index.js';

describe('tai64n', () => {
  it.each([
    // Unix 0 is TAI64 2^62 + 10 (the 10 s TAI-UTC offset of 1970), 0 ns.
    { ms: 0, hex: '400000000000000a' + '00000000' },
    // 1 s 999 ms: 999_000_000 ns = 0x3b8b87c0, whitened to 0x3b000000.
    { ms: 1999, hex: '400000000000000b' + '3b000000' },
    // 1_700_000_000 s = 0x6553f100; 123 ms = 0x0754d4c0 ns, whitened to 0x07000000.
    { ms: 1_700_000_000_123, hex: '400000006553f10a' + '07000000' },
    // Seconds + 10 carries into the high 32-bit word.
    { ms: (2 ** 32 - 5) * 1000, hex: '4000000100000005' + '00000000' },
    // Exactly one whitening bucket (2^24 ns = 16.777216 ms): 17 ms rounds down to it.
    { ms: 17, hex: '400000000000000a' + '01000000' },
  ])('encodes Unix $ms ms as $hex', ({ ms, hex }) => {
    const stamp = tai64n(ms);
    expect(stamp).toHaveLength(12);
    expect(bytesToHex(stamp)).toBe(hex);
  });

  it('whitens: two times within the same 2^24 ns bucket are equal, across the boundary they are not', () => {
    expect(bytesToHex(tai64n(1000))).toBe(bytesToHex(tai64n(1016)));
    expect(bytesToHex(tai64n(1000))).toBe(bytesToHex(tai64n(1016.7)));
    expect(bytesToHex(tai64n(1017))).not.toBe(bytesToHex(tai64n(1016)));
    expect(timestampAfter(tai64n(1017), tai64n(1016))).toBe(true);
    // Everything in the bucket shares the lower 24 bits zeroed.
    for (let ms = 0; ms < 1000; ms += 7) expect(tai64n(ms)[11]).toBe(0);
    for (let ms = 0; ms < 1000; ms += 7) expect(tai64n(ms)[10]).toBe(0);
    for (let ms = 0; ms < 1000; ms += 7) expect(tai64n(ms)[9]).toBe(0);
  });

  it('is monotonic: times 20 ms apart (more than a bucket) always compare later, across second boundaries', () => {
    let previous = tai64n(1_700_000_000_000);
    for (let ms = 1_700_000_000_020; ms < 1_700_000_003_000; ms += 20) {
      const next = tai64n(ms);
      expect(timestampAfter(next, previous), `${ms}`).toBe(true);
      expect(timestampAfter(previous, next), `${ms}`).toBe(false);
      previous = next;
    }
  });

  it('timestampAfter is a strict big-endian comparison', () => {
    const a = tai64n(5000);
    expect(timestampAfter(a, a)).toBe(false);
    expect(timestampAfter(a, Uint8Array.from(a))).toBe(false);
    const zero = new Uint8Array(12);
    expect(timestampAfter(a, zero)).toBe(true);
    expect(timestampAfter(zero, a)).toBe(false);
    // An earlier byte dominates all later ones.
    const high = new Uint8Array(12);
    high[0] = 1;
    const low = new Uint8Array(12).fill(0xff);
    low[0] = 0;
    expect(timestampAfter(high, low)).toBe(true);
    expect(timestampAfter(low, high)).toBe(false);
    // The last byte alone decides when the rest is equal.
    const b = Uint8Array.from(a);
    b[11] = 1;
    expect(timestampAfter(b, a)).toBe(true);
    // Seconds beat nanoseconds.
    expect(timestampAfter(tai64n(2000), tai64n(1999))).toBe(true);
  });
});
