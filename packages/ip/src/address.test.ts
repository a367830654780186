import { describe, expect, it } from 'vitest';
import { canonicalAddress, formatIPv6, parseIPv4, parseIPv6 } from './address.js';

describe('canonicalAddress (RFC 5952)', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8::7', '2001:db8::7'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['FE80::A%3', 'fe80::a%3'],
    ['::ffff:192.0.2.1', '192.0.2.1'], // IPv4-mapped normalised to IPv4
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['::1.2.3.4', '::102:304'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-1',
    '1::2::3',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '12345::',
    'g::1',
    '1.2.3.4::',
    '::1.2.3',
    'fe80::1%',
    'fe80::1%eth 0',
    '1.2.3.4%eth0',
    'example.org',
  ])('rejects %j', (input) => {
    expect(canonicalAddress(input)).toBeUndefined();
  });

  it('round-trips bytes', () => {
    expect(formatIPv6(parseIPv6('2001:db8:ffff:0:0:0:0:0')!)).toBe('2001:db8:ffff::');
    expect(Array.from(parseIPv4('10.0.0.255')!)).toEqual([10, 0, 0, 255]);
  });
});
