/** Properties of parse and format over arbitrary addresses (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  formatIPv4,
  formatIPv6,
  formatIpAddress,
  isIPv4Mapped,
  parseAddress,
  parseIPv4,
  parseIPv6,
  parseIpAddress,
} from './index.js';

const v4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
/** 16 bytes biased to zero groups, so `::` compression is exercised. */
const v6Bytes = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
    minLength: 8,
    maxLength: 8,
  })
  .map((groups) => {
    const bytes = new Uint8Array(16);
    groups.forEach((g, i) => {
      bytes[2 * i] = g >> 8;
      bytes[2 * i + 1] = g & 0xff;
    });
    return bytes;
  });

/** Any RFC 4291 spelling of the bytes: upper/lower case, leading zeros, uncompressed. */
const spelling = (bytes: Uint8Array, upper: boolean, pad: boolean): string => {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    const hex = ((bytes[i]! << 8) | bytes[i + 1]!).toString(16);
    const padded = pad ? hex.padStart(4, '0') : hex;
    groups.push(upper ? padded.toUpperCase() : padded);
  }
  return groups.join(':');
};

describe('address properties', () => {
  it('IPv4: parse(format(b)) = b', () => {
    fc.assert(
      fc.property(v4Bytes, (b) => {
        expect(parseIPv4(formatIPv4(b))).toEqual(b);
      }),
    );
  });

  it('IPv6: parse(format(b)) = b, and the text is canonical (a fixed point)', () => {
    fc.assert(
      fc.property(v6Bytes, (b) => {
        const text = formatIPv6(b);
        expect(parseIPv6(text)).toEqual(b);
        expect(formatIPv6(parseIPv6(text)!)).toBe(text);
        expect(text).toBe(text.toLowerCase());
        expect(text.split('::').length).toBeLessThanOrEqual(2);
        expect(text).not.toMatch(/(^|:)0[0-9a-f]/);
      }),
    );
  });

  it('every spelling of an IPv6 address formats to the same text', () => {
    fc.assert(
      fc.property(v6Bytes, fc.boolean(), fc.boolean(), (b, upper, pad) => {
        expect(formatIPv6(parseIPv6(spelling(b, upper, pad))!)).toBe(formatIPv6(b));
      }),
    );
  });

  it('canonicalAddress is idempotent and agrees with parseAddress', () => {
    fc.assert(
      fc.property(fc.oneof(v4Bytes, v6Bytes), (b) => {
        const text = formatIpAddress(b);
        const canonical = canonicalAddress(text)!;
        expect(canonicalAddress(canonical)).toBe(canonical);
        const parsed = parseAddress(text)!;
        expect(parsed.family).toBe(b.length === 4 || isIPv4Mapped(b) ? 4 : 6);
      }),
    );
  });

  it('parseIpAddress keeps the family of the text (IPv4-mapped stays IPv6)', () => {
    fc.assert(
      fc.property(fc.oneof(v4Bytes, v6Bytes), (b) => {
        const address = parseIpAddress(formatIpAddress(b));
        expect(address.bytes).toEqual(b);
        expect(address.family).toBe(b.length === 4 ? 4 : 6);
      }),
    );
  });

  it('never throws on arbitrary text: parse* return undefined', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (text) => {
        parseIPv4(text);
        parseIPv6(text);
        const canonical = canonicalAddress(text);
        if (canonical !== undefined) expect(canonicalAddress(canonical)).toBe(canonical);
      }),
    );
  });
});
