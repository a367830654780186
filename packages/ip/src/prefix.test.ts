import { PathwireError } from '@pathwire/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpPrefix,
  IpError,
  ipPrefixContains,
  ipPrefixEquals,
  ipPrefixFromBytes,
  parseInterfaceAddress,
  parseIpPrefix,
} from './index.js';

describe('prefixes', () => {
  it('an interface address keeps its host bits', () => {
    const address = parseInterfaceAddress('10.9.0.1/24');
    expect(Array.from(address.bytes)).toEqual([10, 9, 0, 1]);
    expect(address.bits).toBe(24);
    expect(parseInterfaceAddress('fd00::1').bits).toBe(128);
  });

  it('throws an IpError that PathwireError.isInstance recognises', () => {
    let caught: unknown;
    try {
      parseIpPrefix('10.0.0.0/33');
    } catch (error) {
      caught = error;
    }
    expect(IpError.isInstance(caught)).toBe(true);
    expect(PathwireError.isInstance(caught)).toBe(true);
    expect((caught as IpError).code).toBe('BAD_PREFIX_LENGTH');
  });

  it('format∘parse round-trips and contains its own address', () => {
    const prefix = fc.oneof(
      fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })),
      fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 })),
    );
    fc.assert(
      fc.property(prefix, ([bytes, bits]) => {
        const p = ipPrefixFromBytes(bytes, bits);
        expect(ipPrefixEquals(parseIpPrefix(formatIpPrefix(p)), p)).toBe(true);
        expect(ipPrefixContains(p, bytes)).toBe(true);
        expect(ipPrefixContains(p, new Uint8Array(bytes.length === 4 ? 16 : 4))).toBe(false);
      }),
    );
  });
});
