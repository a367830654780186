import { describe, expect, it } from 'vitest';
import { EndpointParseError } from './errors.js';
import { parseEndpoint, parseEndpointList } from './parse-endpoints.js';

function parseError(input: string): EndpointParseError {
  try {
    parseEndpointList(input);
  } catch (error) {
    expect(error).toBeInstanceOf(EndpointParseError);
    return error as EndpointParseError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to fail`);
}

describe('parseEndpointList', () => {
  it('parses the issue example, keeping positions', () => {
    const input = '203.0.113.7:51820, [2001:db8::7]:51820, vpn.example.org:51820, 192.168.1.2:51820';
    expect(parseEndpointList(input)).toEqual([
      {
        kind: 'address',
        text: '203.0.113.7:51820',
        index: 0,
        offset: 0,
        port: 51820,
        address: '203.0.113.7',
        family: 4,
      },
      {
        kind: 'address',
        text: '[2001:db8::7]:51820',
        index: 1,
        offset: 19,
        port: 51820,
        address: '2001:db8::7',
        family: 6,
      },
      {
        kind: 'hostname',
        text: 'vpn.example.org:51820',
        index: 2,
        offset: 40,
        port: 51820,
        hostname: 'vpn.example.org',
      },
      {
        kind: 'address',
        text: '192.168.1.2:51820',
        index: 3,
        offset: 63,
        port: 51820,
        address: '192.168.1.2',
        family: 4,
      },
    ]);
  });

  it('tolerates whitespace around items, and canonicalises', () => {
    const items = parseEndpointList(' \t[FE80::1%eth0]:1 ,VPN.Example.ORG.:65535\n');
    expect(items[0]).toMatchObject({
      kind: 'address',
      address: 'fe80::1%eth0',
      port: 1,
      offset: 2,
      index: 0,
    });
    expect(items[1]).toMatchObject({
      kind: 'hostname',
      hostname: 'vpn.example.org',
      port: 65535,
      offset: 20,
    });
  });

  it('maps IPv4-mapped IPv6 to IPv4 and IDN to A-labels', () => {
    expect(parseEndpoint('[::ffff:192.0.2.1]:51820')).toMatchObject({ address: '192.0.2.1', family: 4 });
    expect(parseEndpoint('bücher.example:1')).toMatchObject({ hostname: 'xn--bcher-kva.example' });
  });

  it('reads a blank value as no endpoints', () => {
    expect(parseEndpointList('')).toEqual([]);
    expect(parseEndpointList('   ')).toEqual([]);
  });

  it.each([
    // input, code, index, offset, item
    ['vpn.example.org', 'MISSING_PORT', 0, 0, 'vpn.example.org'],
    ['1.2.3.4:1, 192.0.2.1', 'MISSING_PORT', 1, 11, '192.0.2.1'],
    ['1.2.3.4:', 'MISSING_PORT', 0, 0, '1.2.3.4:'],
    ['[2001:db8::1]', 'MISSING_PORT', 0, 0, '[2001:db8::1]'],
    ['[2001:db8::1]51820', 'MISSING_PORT', 0, 0, '[2001:db8::1]51820'],
    ['a.example:0', 'PORT_OUT_OF_RANGE', 0, 0, 'a.example:0'],
    ['a.example:1, a.example:65536', 'PORT_OUT_OF_RANGE', 1, 13, 'a.example:65536'],
    ['a.example:99999999999999999999', 'PORT_OUT_OF_RANGE', 0, 0, 'a.example:99999999999999999999'],
    ['a.example:-1', 'BAD_PORT', 0, 0, 'a.example:-1'],
    ['a.example:http', 'BAD_PORT', 0, 0, 'a.example:http'],
    ['a.example:0x10', 'BAD_PORT', 0, 0, 'a.example:0x10'],
    ['[2001:db8::1:51820', 'UNBALANCED_BRACKET', 0, 0, '[2001:db8::1:51820'],
    ['2001:db8::1]:51820', 'UNBALANCED_BRACKET', 0, 0, '2001:db8::1]:51820'],
    ['[[::1]]:1', 'UNBALANCED_BRACKET', 0, 0, '[[::1]]:1'],
    ['x:1,  2001:db8::1:51820', 'IPV6_WITHOUT_BRACKETS', 1, 6, '2001:db8::1:51820'],
    ['::1', 'IPV6_WITHOUT_BRACKETS', 0, 0, '::1'],
    ['a.example:1,,b.example:2', 'EMPTY_ITEM', 1, 12, ''],
    ['a.example:1,', 'EMPTY_ITEM', 1, 12, ''],
    [', a.example:1', 'EMPTY_ITEM', 0, 0, ''],
    ['a.example:1, ,b.example:2', 'EMPTY_ITEM', 1, 13, ''],
    [':51820', 'MISSING_HOST', 0, 0, ':51820'],
    ['[]:51820', 'MISSING_HOST', 0, 0, '[]:51820'],
    ['[192.0.2.1]:51820', 'BAD_IPV6', 0, 0, '[192.0.2.1]:51820'],
    ['[vpn.example.org]:51820', 'BAD_IPV6', 0, 0, '[vpn.example.org]:51820'],
    ['[fe80::1%]:1', 'BAD_ZONE', 0, 0, '[fe80::1%]:1'],
    ['[fe80::1%a/b]:1', 'BAD_ZONE', 0, 0, '[fe80::1%a/b]:1'],
    ['192.0.2.1%eth0:1', 'BAD_ZONE', 0, 0, '192.0.2.1%eth0:1'],
    ['256.0.0.1:1', 'BAD_IPV4', 0, 0, '256.0.0.1:1'],
    ['010.0.0.1:1', 'BAD_IPV4', 0, 0, '010.0.0.1:1'],
    ['1.2.3:1', 'BAD_IPV4', 0, 0, '1.2.3:1'],
    ['-bad.example:1', 'INVALID_HOSTNAME', 0, 0, '-bad.example:1'],
    ['bad-.example:1', 'INVALID_HOSTNAME', 0, 0, 'bad-.example:1'],
    ['a..example:1', 'INVALID_HOSTNAME', 0, 0, 'a..example:1'],
    ['.example:1', 'INVALID_HOSTNAME', 0, 0, '.example:1'],
    ['.:1', 'INVALID_HOSTNAME', 0, 0, '.:1'],
    ['exa mple.org:1', 'UNEXPECTED_WHITESPACE', 0, 0, 'exa mple.org:1'],
    ['vpn.example.org :1', 'UNEXPECTED_WHITESPACE', 0, 0, 'vpn.example.org :1'],
    ['host!.example:1', 'INVALID_HOSTNAME', 0, 0, 'host!.example:1'],
    ['1.2.3.example.4:1', 'INVALID_HOSTNAME', 0, 0, '1.2.3.example.4:1'],
    [`${'a'.repeat(64)}.example:1`, 'INVALID_HOSTNAME', 0, 0, `${'a'.repeat(64)}.example:1`],
    [`${'abcdefghi.'.repeat(26)}org:1`, 'INVALID_HOSTNAME', 0, 0, `${'abcdefghi.'.repeat(26)}org:1`],
  ] as const)('%j -> %s at item %i, offset %i', (input, code, index, offset, item) => {
    const error = parseError(input);
    expect({ code: error.code, index: error.index, offset: error.offset, item: error.item }).toEqual({
      code,
      index,
      offset,
      item,
    });
    expect(error.message).toContain(JSON.stringify(item));
    expect(error.message).toContain(`offset ${offset}`);
  });

  it('accepts names at the limits', () => {
    const label = 'a'.repeat(63);
    const name = `${label}.${label}.${label}.${'b'.repeat(61)}`; // 253 characters
    expect(parseEndpoint(`${name}:1`)).toMatchObject({ hostname: name });
    expect(parseEndpoint('_wg._udp.example:1')).toMatchObject({ hostname: '_wg._udp.example' });
    expect(parseEndpoint('localhost:1')).toMatchObject({ hostname: 'localhost' });
    expect(parseEndpoint('0a.example:1')).toMatchObject({ hostname: '0a.example' });
  });

  it('single-endpoint parse reports offset past leading blanks', () => {
    expect(() => parseEndpoint('  x')).toThrowError(/offset 2/);
  });
});
