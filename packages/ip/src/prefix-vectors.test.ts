import { describe, expect, it } from 'vitest';
import {
  formatIpAddress,
  formatIpPrefix,
  IpError,
  ipPrefixContains,
  ipPrefixEquals,
  ipPrefixFromBytes,
  parseIpAddress,
  parseIpPrefix,
} from './index.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

describe('parseIpPrefix: good input', () => {
  // [input, family, bytes (hex), bits, canonical text]
  const cases: [string, 4 | 6, string, number, string][] = [
    ['10.0.0.0/8', 4, '0a000000', 8, '10.0.0.0/8'],
    ['10.1.2.3/8', 4, '0a000000', 8, '10.0.0.0/8'],
    ['192.0.2.1', 4, 'c0000201', 32, '192.0.2.1/32'],
    ['192.0.2.1/32', 4, 'c0000201', 32, '192.0.2.1/32'],
    ['0.0.0.0/0', 4, '00000000', 0, '0.0.0.0/0'],
    ['255.255.255.255/0', 4, '00000000', 0, '0.0.0.0/0'],
    ['192.0.2.255/25', 4, 'c0000280', 25, '192.0.2.128/25'],
    ['172.31.255.255/12', 4, 'ac100000', 12, '172.16.0.0/12'],
    ['2001:db8::/32', 6, '20010db8000000000000000000000000', 32, '2001:db8::/32'],
    ['2001:DB8:1:2::/32', 6, '20010db8000000000000000000000000', 32, '2001:db8::/32'],
    ['::/0', 6, '00000000000000000000000000000000', 0, '::/0'],
    ['::', 6, '00000000000000000000000000000000', 128, '::/128'],
    ['::1', 6, '00000000000000000000000000000001', 128, '::1/128'],
    ['fe80::1/10', 6, 'fe800000000000000000000000000000', 10, 'fe80::/10'],
    ['fd00::a:b/127', 6, 'fd0000000000000000000000000a000a', 127, 'fd00::a:a/127'],
    [
      '2001:0db8:0000:0000:0001:0000:0000:0001',
      6,
      '20010db8000000000001000000000001',
      128,
      '2001:db8::1:0:0:1/128',
    ],
    ['1:2:3:4:5:6:7::', 6, '00010002000300040005000600070000', 128, '1:2:3:4:5:6:7:0/128'],
    ['::2:3:4:5:6:7:8', 6, '00000002000300040005000600070008', 128, '0:2:3:4:5:6:7:8/128'],
    ['1:0:0:2:0:0:0:3', 6, '00010000000000020000000000000003', 128, '1:0:0:2::3/128'],
    ['1:0:0:2:0:0:3:4', 6, '00010000000000020000000000030004', 128, '1::2:0:0:3:4/128'],
    ['::ffff:192.0.2.1', 6, '00000000000000000000ffffc0000201', 128, '::ffff:192.0.2.1/128'],
    ['::ffff:10.1.2.3/104', 6, '00000000000000000000ffff0a000000', 104, '::ffff:10.0.0.0/104'],
    ['::ffff:c000:201', 6, '00000000000000000000ffffc0000201', 128, '::ffff:192.0.2.1/128'],
    ['64:ff9b::192.0.2.1/96', 6, '0064ff9b000000000000000000000000', 96, '64:ff9b::/96'],
    ['::192.0.2.1', 6, '000000000000000000000000c0000201', 128, '::c000:201/128'],
    ['2001:db8::ffff/112', 6, '20010db8000000000000000000000000', 112, '2001:db8::/112'],
  ];
  for (const [input, family, bytes, bits, text] of cases) {
    it(`${input} → ${text}`, () => {
      const prefix = parseIpPrefix(input);
      expect(prefix.family).toBe(family);
      expect(hex(prefix.bytes)).toBe(bytes);
      expect(prefix.bits).toBe(bits);
      expect(formatIpPrefix(prefix)).toBe(text);
      // Canonical text parses back to the same prefix.
      expect(ipPrefixEquals(parseIpPrefix(text), prefix)).toBe(true);
    });
  }

  it('keeps IPv4-mapped IPv6 as IPv6', () => {
    const prefix = parseIpPrefix('::ffff:10.0.0.1/128');
    expect(prefix.family).toBe(6);
    expect(prefix.bytes.length).toBe(16);
  });
});

describe('parseIpPrefix: bad input', () => {
  const cases: [string, string, string][] = [
    ['', 'BAD_PREFIX', 'bad IP prefix "": empty'],
    ['10.0.0.0/8/8', 'BAD_PREFIX', 'bad IP prefix "10.0.0.0/8/8": more than one "/"'],
    ['//', 'BAD_PREFIX', 'bad IP prefix "//": more than one "/"'],
    ['/8', 'BAD_ADDRESS', 'bad IP prefix "/8": "" is not an IPv4 or IPv6 address'],
    [
      '10.0.0.256/8',
      'BAD_ADDRESS',
      'bad IP prefix "10.0.0.256/8": "10.0.0.256" is not an IPv4 or IPv6 address',
    ],
    ['10.0.0/8', 'BAD_ADDRESS', 'bad IP prefix "10.0.0/8": "10.0.0" is not an IPv4 or IPv6 address'],
    ['10.0.0.0.0', 'BAD_ADDRESS', 'bad IP prefix "10.0.0.0.0": "10.0.0.0.0" is not an IPv4 or IPv6 address'],
    ['10.0.0.01', 'BAD_ADDRESS', 'bad IP prefix "10.0.0.01": "10.0.0.01" is not an IPv4 or IPv6 address'],
    ['10.0.0.-1', 'BAD_ADDRESS', 'bad IP prefix "10.0.0.-1": "10.0.0.-1" is not an IPv4 or IPv6 address'],
    ['10.0..1', 'BAD_ADDRESS', 'bad IP prefix "10.0..1": "10.0..1" is not an IPv4 or IPv6 address'],
    [' 10.0.0.1', 'BAD_ADDRESS', 'bad IP prefix " 10.0.0.1": " 10.0.0.1" is not an IPv4 or IPv6 address'],
    ['0x0a.0.0.1', 'BAD_ADDRESS', 'bad IP prefix "0x0a.0.0.1": "0x0a.0.0.1" is not an IPv4 or IPv6 address'],
    [
      'host.example',
      'BAD_ADDRESS',
      'bad IP prefix "host.example": "host.example" is not an IPv4 or IPv6 address',
    ],
    ['1::2::3', 'BAD_ADDRESS', 'bad IP prefix "1::2::3": "1::2::3" is not an IPv4 or IPv6 address'],
    [':::', 'BAD_ADDRESS', 'bad IP prefix ":::": ":::" is not an IPv4 or IPv6 address'],
    [':1::', 'BAD_ADDRESS', 'bad IP prefix ":1::": ":1::" is not an IPv4 or IPv6 address'],
    [
      '1:2:3:4:5:6:7',
      'BAD_ADDRESS',
      'bad IP prefix "1:2:3:4:5:6:7": "1:2:3:4:5:6:7" is not an IPv4 or IPv6 address',
    ],
    [
      '1:2:3:4:5:6:7:8:9',
      'BAD_ADDRESS',
      'bad IP prefix "1:2:3:4:5:6:7:8:9": "1:2:3:4:5:6:7:8:9" is not an IPv4 or IPv6 address',
    ],
    [
      '1:2:3:4::5:6:7:8',
      'BAD_ADDRESS',
      'bad IP prefix "1:2:3:4::5:6:7:8": "1:2:3:4::5:6:7:8" is not an IPv4 or IPv6 address',
    ],
    ['12345::', 'BAD_ADDRESS', 'bad IP prefix "12345::": "12345::" is not an IPv4 or IPv6 address'],
    ['g::', 'BAD_ADDRESS', 'bad IP prefix "g::": "g::" is not an IPv4 or IPv6 address'],
    [
      'fe80::1%eth0',
      'BAD_ADDRESS',
      'bad IP prefix "fe80::1%eth0": "fe80::1%eth0" is not an IPv4 or IPv6 address',
    ],
    [
      '1.2.3.4::/96',
      'BAD_ADDRESS',
      'bad IP prefix "1.2.3.4::/96": "1.2.3.4::" is not an IPv4 or IPv6 address',
    ],
    [
      '::1.2.3.4:5',
      'BAD_ADDRESS',
      'bad IP prefix "::1.2.3.4:5": "::1.2.3.4:5" is not an IPv4 or IPv6 address',
    ],
    [
      '1:2:3:4:5:6:7:1.2.3.4',
      'BAD_ADDRESS',
      'bad IP prefix "1:2:3:4:5:6:7:1.2.3.4": "1:2:3:4:5:6:7:1.2.3.4" is not an IPv4 or IPv6 address',
    ],
    [
      '10.0.0.0/33',
      'BAD_PREFIX_LENGTH',
      'bad IP prefix "10.0.0.0/33": prefix length must be 0 to 32 for IPv4',
    ],
    ['10.0.0.0/', 'BAD_PREFIX_LENGTH', 'bad IP prefix "10.0.0.0/": prefix length must be 0 to 32 for IPv4'],
    [
      '10.0.0.0/-1',
      'BAD_PREFIX_LENGTH',
      'bad IP prefix "10.0.0.0/-1": prefix length must be 0 to 32 for IPv4',
    ],
    [
      '10.0.0.0/08',
      'BAD_PREFIX_LENGTH',
      'bad IP prefix "10.0.0.0/08": prefix length must be 0 to 32 for IPv4',
    ],
    [
      '10.0.0.0/+8',
      'BAD_PREFIX_LENGTH',
      'bad IP prefix "10.0.0.0/+8": prefix length must be 0 to 32 for IPv4',
    ],
    [
      '10.0.0.0/ 8',
      'BAD_PREFIX_LENGTH',
      'bad IP prefix "10.0.0.0/ 8": prefix length must be 0 to 32 for IPv4',
    ],
    [
      '10.0.0.0/8.0',
      'BAD_PREFIX_LENGTH',
      'bad IP prefix "10.0.0.0/8.0": prefix length must be 0 to 32 for IPv4',
    ],
    ['::/129', 'BAD_PREFIX_LENGTH', 'bad IP prefix "::/129": prefix length must be 0 to 128 for IPv6'],
    ['::/1e2', 'BAD_PREFIX_LENGTH', 'bad IP prefix "::/1e2": prefix length must be 0 to 128 for IPv6'],
  ];
  for (const [input, code, message] of cases) {
    it(`rejects ${JSON.stringify(input)} with ${code}`, () => {
      let error: unknown;
      try {
        parseIpPrefix(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IpError);
      expect((error as IpError).code).toBe(code);
      expect((error as IpError).message).toBe(message);
      expect((error as IpError).name).toBe('IpError');
    });
  }
});

describe('addresses', () => {
  it('parses and formats single addresses', () => {
    expect(parseIpAddress('192.0.2.1')).toEqual({ family: 4, bytes: new Uint8Array([192, 0, 2, 1]) });
    expect(formatIpAddress(parseIpAddress('2001:DB8:0:0:0:0:2:1').bytes)).toBe('2001:db8::2:1');
    expect(formatIpAddress(parseIpAddress('::ffff:1.2.3.4').bytes)).toBe('::ffff:1.2.3.4');
  });

  it('rejects a prefix where an address is expected', () => {
    expect(() => parseIpAddress('10.0.0.0/8')).toThrow(
      new IpError('BAD_ADDRESS', 'bad IP address "10.0.0.0/8": not an IPv4 or IPv6 address'),
    );
  });

  it('refuses to format other lengths', () => {
    expect(() => formatIpAddress(new Uint8Array(5))).toThrow('an IP address is 4 or 16 bytes, got 5');
  });

  it('RFC 5952: the first of two equal zero runs is compressed, a single zero group is not', () => {
    expect(formatIpAddress(parseIpAddress('1:0:0:2:3:0:0:4').bytes)).toBe('1::2:3:0:0:4');
    expect(formatIpAddress(parseIpAddress('1:2:3:4:5:6:0:8').bytes)).toBe('1:2:3:4:5:6:0:8');
    expect(formatIpAddress(parseIpAddress('0:0:0:0:0:0:0:1').bytes)).toBe('::1');
    expect(formatIpAddress(parseIpAddress('1:0:0:0:0:0:0:0').bytes)).toBe('1::');
  });
});

describe('ipPrefixFromBytes', () => {
  it('copies and masks', () => {
    const bytes = new Uint8Array([10, 1, 2, 3]);
    const prefix = ipPrefixFromBytes(bytes, 12);
    expect(formatIpPrefix(prefix)).toBe('10.0.0.0/12');
    expect(bytes).toEqual(new Uint8Array([10, 1, 2, 3]));
  });

  it('rejects bad lengths', () => {
    expect(() => ipPrefixFromBytes(new Uint8Array(8), 8)).toThrow(
      new IpError('BAD_ADDRESS', 'an IP address is 4 or 16 bytes, got 8'),
    );
    expect(() => ipPrefixFromBytes(new Uint8Array(4), 33)).toThrow(
      new IpError('BAD_PREFIX_LENGTH', 'prefix length must be 0 to 32, got 33'),
    );
    expect(() => ipPrefixFromBytes(new Uint8Array(16), 1.5)).toThrow(
      'prefix length must be 0 to 128, got 1.5',
    );
  });
});

describe('ipPrefixContains', () => {
  it('matches by masked bits and family', () => {
    const p = parseIpPrefix('10.128.0.0/9');
    expect(ipPrefixContains(p, parseIpAddress('10.200.1.1').bytes)).toBe(true);
    expect(ipPrefixContains(p, parseIpAddress('10.127.1.1').bytes)).toBe(false);
    expect(ipPrefixContains(parseIpPrefix('0.0.0.0/0'), parseIpAddress('::').bytes)).toBe(false);
    expect(ipPrefixContains(parseIpPrefix('::/0'), parseIpAddress('1.2.3.4').bytes)).toBe(false);
    expect(ipPrefixContains(parseIpPrefix('::/0'), parseIpAddress('::ffff:1.2.3.4').bytes)).toBe(true);
  });
});
