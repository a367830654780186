import { describe, expect, it } from 'vitest';
import { addressFamily, canonicalAddress, formatEndpoint } from './endpoint.js';
import { NetsimError } from './errors.js';

describe('canonicalAddress', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8::0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['[fd00::1]', 'fd00::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // IPv4-mapped IPv6 is IPv4 in the project's one canonical form (@pathwire/ip).
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });

  it.each(['1.2.3', '256.1.1.1', '01.2.3.4', '1::2::3', 'example.com', '1:2:3:4:5:6:7:8:9'])(
    'rejects %s',
    (input) => {
      expect(() => canonicalAddress(input)).toThrow(NetsimError);
    },
  );

  it('knows families and formats endpoints', () => {
    expect(addressFamily('10.0.0.1')).toBe(4);
    expect(addressFamily('fd00::1')).toBe(6);
    expect(formatEndpoint({ address: 'fd00::1', port: 51820 })).toBe('[fd00::1]:51820');
    expect(formatEndpoint({ address: '10.0.0.1', port: 1 })).toBe('10.0.0.1:1');
  });
});
