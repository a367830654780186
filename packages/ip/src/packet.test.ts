import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildIcmpEcho,
  echoRequestToReply,
  innerDestination,
  innerFamily,
  innerSource,
  internetChecksum,
  ipv4PseudoHeaderSum,
  onesComplementSum,
  packetLength,
  parseIcmpEcho,
  writeIPv4Header,
} from './index.js';

describe('RFC 1071 checksum', () => {
  it('matches the worked example of RFC 1071 §3', () => {
    // Bytes 00 01 f2 03 f4 f5 f6 f7: the sum is ddf2, the checksum its complement 220d.
    const bytes = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(onesComplementSum(bytes)).toBe(0xddf2);
    expect(internetChecksum(bytes)).toBe(0x220d);
  });

  it('pads an odd byte with zero', () => {
    expect(onesComplementSum(Uint8Array.from([0x12, 0x34, 0x56]))).toBe(0x1234 + 0x5600);
  });

  it('a range with its checksum stored sums to zero (what a receiver checks)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 3000 }), (data) => {
        const bytes = Uint8Array.from(data);
        bytes[0] = 0;
        bytes[1] = 0;
        const sum = internetChecksum(bytes);
        bytes[0] = sum >> 8;
        bytes[1] = sum & 0xff;
        expect(internetChecksum(bytes)).toBe(0);
      }),
    );
  });

  it('a known IPv4 header (Wikipedia "IPv4 header checksum" example) checks out', () => {
    const header = Uint8Array.from([
      0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0,
      0xa8, 0x00, 0xc7,
    ]);
    expect(internetChecksum(header)).toBe(0);
    header[10] = 0;
    header[11] = 0;
    expect(internetChecksum(header)).toBe(0xb861);
  });
});

describe('IPv4 header', () => {
  it('writes a header the inner-header readers understand', () => {
    const packet = new Uint8Array(60);
    writeIPv4Header(packet, {
      source: [192, 0, 2, 1],
      destination: [198, 51, 100, 7],
      protocol: 17,
      totalLength: 48,
    });
    expect(internetChecksum(packet, 0, 20)).toBe(0);
    expect(innerFamily(packet)).toBe(4);
    expect(packetLength(packet)).toBe(48);
    expect(Array.from(innerSource(packet)!.bytes)).toEqual([192, 0, 2, 1]);
    expect(Array.from(innerDestination(packet)!.bytes)).toEqual([198, 51, 100, 7]);
    expect(ipv4PseudoHeaderSum(packet, 17, 28)).toBe(onesComplementSum(packet, 12, 20, 17 + 28));
  });
});

describe('ICMP echo', () => {
  const echo = fc.record({
    v6: fc.boolean(),
    identifier: fc.integer({ min: 0, max: 0xffff }),
    sequence: fc.integer({ min: 0, max: 0xffff }),
    payload: fc.uint8Array({ maxLength: 200 }),
  });

  it('parse∘build is the identity, and the reply swaps addresses with valid checksums', () => {
    fc.assert(
      fc.property(echo, ({ v6, identifier, sequence, payload }) => {
        const [source, destination] = v6 ? ['fd00::1', '2001:db8::2'] : ['10.0.0.1', '192.0.2.2'];
        const request = { source, destination, type: v6 ? 128 : 8, identifier, sequence, payload };
        const packet = buildIcmpEcho(request);
        expect(parseIcmpEcho(packet)).toEqual(request);
        expect(echoRequestToReply(packet)).toBe(true);
        expect(parseIcmpEcho(packet)).toEqual({
          ...request,
          source: destination,
          destination: source,
          type: v6 ? 129 : 0,
        });
        expect(echoRequestToReply(packet)).toBe(false); // a reply is not rewritten again
      }),
    );
  });

  it('a corrupted echo does not parse', () => {
    const packet = buildIcmpEcho({
      source: '10.0.0.1',
      destination: '10.0.0.2',
      type: 8,
      identifier: 1,
      sequence: 2,
      payload: Uint8Array.from([1, 2, 3]),
    });
    packet[packet.length - 1]! ^= 1;
    expect(parseIcmpEcho(packet)).toBeUndefined();
    expect(parseIcmpEcho(new Uint8Array(10))).toBeUndefined();
  });
});
