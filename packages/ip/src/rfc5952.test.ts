/**
 * RFC 5952 vectors: every example of §4 and §5, and the §2 variants that must all be written
 * the same way.
 */
import { describe, expect, it } from 'vitest';
import { canonicalAddress, formatIPv6, parseIPv6 } from './index.js';

const ipv6 = (text: string): string => formatIPv6(parseIPv6(text)!);

describe('RFC 5952', () => {
  it('§2.1-2.3: all the forms of one address give one text', () => {
    for (const text of [
      '2001:db8:0:0:1:0:0:1',
      '2001:0db8:0:0:1:0:0:1',
      '2001:db8::1:0:0:1',
      '2001:db8::0:1:0:0:1',
      '2001:0db8::1:0:0:1',
      '2001:db8:0:0:1::1',
      '2001:db8:0000:0:1::1',
      '2001:DB8:0:0:1::1',
    ]) {
      expect(ipv6(text), text).toBe('2001:db8::1:0:0:1');
    }
  });

  it.each([
    // §4.1: leading zeros suppressed
    ['2001:0db8::0001', '2001:db8::1'],
    // §4.2.1: "::" shortens as much as possible
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    // §4.2.2: "::" never for a single 16-bit 0 field
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3: the longest run; the first one on a tie
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // §4.3: lower case
    ['2001:DB8::AB:CD', '2001:db8::ab:cd'],
    // §5: IPv4-mapped addresses end in a dotted quad
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:FFFF:C000:0201', '::ffff:192.0.2.1'],
  ])('%s -> %s', (input, expected) => {
    expect(ipv6(input)).toBe(expected);
  });

  it('canonicalAddress additionally reads IPv4-mapped endpoints as IPv4', () => {
    expect(canonicalAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });
});
