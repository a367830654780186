import { describe, expect, it } from 'vitest';
import { parseCidr } from './cidr.js';
import { checksumsValid, echoRequestToReply, internetChecksum } from './ip-packet.js';

describe('parseCidr', () => {
  it('parses IPv4 and IPv6 prefixes, and bare addresses as host prefixes', () => {
    expect(parseCidr('10.0.0.1/24')).toEqual({
      family: 4,
      address: Uint8Array.of(10, 0, 0, 1),
      prefixLength: 24,
    });
    expect(parseCidr('192.0.2.7')).toMatchObject({ family: 4, prefixLength: 32 });
    const v6 = parseCidr('fd00:7075::1/64');
    expect(v6.family).toBe(6);
    expect(Array.from(v6.address)).toEqual([0xfd, 0, 0x70, 0x75, ...new Array(11).fill(0), 1]);
    expect(parseCidr('::/0')).toEqual({ family: 6, address: new Uint8Array(16), prefixLength: 0 });
    expect(Array.from(parseCidr('::ffff:192.0.2.1').address.slice(10))).toEqual([0xff, 0xff, 192, 0, 2, 1]);
    expect(Array.from(parseCidr('1:2:3:4:5:6:7:8').address.slice(14))).toEqual([0, 8]);
  });

  it('rejects what is not a prefix with INVALID_ADDRESS', () => {
    for (const bad of [
      '10.0.0.256/24',
      '10.0.0/24',
      '10.0.0.1/33',
      'fd00::1/129',
      '1::2::3',
      'x',
      '01.2.3.4',
      '1:2:3:4:5:6:7:8:9',
    ]) {
      expect(() => parseCidr(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_ADDRESS' }));
    }
  });
});

describe('ip-packet helpers', () => {
  it('computes the RFC 1071 example checksum', () => {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2, complemented 220d.
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  it('turns an ICMPv6 echo request into a reply with a valid pseudo-header checksum', () => {
    const request = new Uint8Array(48);
    request[0] = 0x60;
    request[5] = 8; // payload length
    request[6] = 58;
    request[7] = 64;
    request[23] = 1; // source ::1
    request[39] = 2; // destination ::2
    request[40] = 128;
    expect(echoRequestToReply(request)).toBe(true);
    expect(request[40]).toBe(129);
    expect(request[23]).toBe(2);
    expect(request[39]).toBe(1);
    expect(checksumsValid(request)).toBe(true);
  });
});
