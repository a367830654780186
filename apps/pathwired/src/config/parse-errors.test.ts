import { EndpointParseError } from '@pathwire/resolver/parse';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigErrorCode } from './errors.js';
import { BAD_PADDING_KEY, PEER_1, PEER_2, PRIVATE_KEY, PSK, STRATEGIES } from './fixtures.test-helper.js';
import { parseConfig } from './parse-config.js';

/** The error `parseConfig` throws for `lines`; fails the test when it returns. */
function errorOf(lines: string[], file = 'wg0.conf'): ConfigError {
  let result: unknown;
  try {
    result = parseConfig(lines.join('\n'), file, { strategies: STRATEGIES });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError, got ${JSON.stringify(result)}`);
}

const HEAD = ['[Interface]', `PrivateKey = ${PRIVATE_KEY}`]; // lines 1-2
const PEER = ['[Peer]', `PublicKey = ${PEER_1}`];

interface Case {
  name: string;
  lines: string[];
  message: string;
  code: ConfigErrorCode;
  line: number;
  key?: string;
}

const cases: Case[] = [
  // Keys.
  {
    name: 'a PublicKey that is not base64',
    lines: [...HEAD, 'ListenPort = 51820', '', '# the gateway', '[Peer]', 'PublicKey = not-a-key'],
    message: 'wg0.conf:7: PublicKey: not a valid base64 WireGuard key',
    code: 'BAD_KEY',
    line: 7,
    key: 'PublicKey',
  },
  {
    name: 'a 32-byte key with bad padding bits',
    lines: [...HEAD, '[Peer]', `PublicKey = ${BAD_PADDING_KEY}`],
    message: 'wg0.conf:4: PublicKey: not a valid base64 WireGuard key',
    code: 'BAD_KEY',
    line: 4,
    key: 'PublicKey',
  },
  {
    name: 'a PrivateKey without its padding',
    lines: ['[Interface]', `PrivateKey = ${PRIVATE_KEY.slice(0, -1)}`],
    message: 'wg0.conf:2: PrivateKey: not a valid base64 WireGuard key',
    code: 'BAD_KEY',
    line: 2,
    key: 'PrivateKey',
  },
  {
    name: 'a PresharedKey of 31 bytes',
    lines: [...PEER_AFTER_HEAD(), 'PresharedKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=='],
    message: 'wg0.conf:5: PresharedKey: not a valid base64 WireGuard key',
    code: 'BAD_KEY',
    line: 5,
    key: 'PresharedKey',
  },
  // Endpoints.
  {
    name: 'an unbalanced bracket in the second endpoint',
    lines: [...PEER_AFTER_HEAD(), 'Endpoint = 203.0.113.7:51820, [2001:db8::1'],
    message: 'wg0.conf:5: Endpoint: item 2 "[2001:db8::1" (offset 19): "[" without a matching "]"',
    code: 'BAD_ENDPOINT',
    line: 5,
    key: 'Endpoint',
  },
  {
    name: 'an endpoint without port',
    lines: [...PEER_AFTER_HEAD(), 'Endpoint = vpn.example.org:51820,192.0.2.1'],
    message: 'wg0.conf:5: Endpoint: item 2 "192.0.2.1" (offset 22): missing ":port" (for example ":51820")',
    code: 'BAD_ENDPOINT',
    line: 5,
    key: 'Endpoint',
  },
  {
    name: 'a trailing comma in Endpoint',
    lines: [...PEER_AFTER_HEAD(), 'Endpoint = 192.0.2.1:51820,'],
    message:
      'wg0.conf:5: Endpoint: item 2 "" (offset 16): empty item (two commas in a row, or a trailing comma?)',
    code: 'BAD_ENDPOINT',
    line: 5,
    key: 'Endpoint',
  },
  {
    name: 'an unspecified endpoint address',
    lines: [...PEER_AFTER_HEAD(), 'Endpoint = 192.0.2.1:51820, 0.0.0.0:51820'],
    message:
      'wg0.conf:5: Endpoint: item 2 "0.0.0.0:51820" (offset 17): an unspecified address can never be a peer',
    code: 'BAD_ENDPOINT',
    line: 5,
    key: 'Endpoint',
  },
  {
    name: 'a multicast endpoint address',
    lines: [...PEER_AFTER_HEAD(), 'Endpoint = [ff02::1]:51820'],
    message:
      'wg0.conf:5: Endpoint: item 1 "[ff02::1]:51820" (offset 0): a multicast address can never be a peer',
    code: 'BAD_ENDPOINT',
    line: 5,
    key: 'Endpoint',
  },
  // Structure.
  {
    name: 'an unknown key in [Interface]',
    lines: [...HEAD, 'ListenPrt = 51820'],
    message: 'wg0.conf:3: unknown key "ListenPrt" in [Interface]',
    code: 'UNKNOWN_KEY',
    line: 3,
    key: 'ListenPrt',
  },
  {
    name: 'an interface key in [Peer]',
    lines: [...PEER_AFTER_HEAD(), 'ListenPort = 51820'],
    message: 'wg0.conf:5: unknown key "ListenPort" in [Peer]',
    code: 'UNKNOWN_KEY',
    line: 5,
    key: 'ListenPort',
  },
  {
    name: 'a key before any section',
    lines: ['# header comment', `PrivateKey = ${PRIVATE_KEY}`, '[Interface]'],
    message: 'wg0.conf:2: key "PrivateKey" before any section (expected [Interface] first)',
    code: 'KEY_OUTSIDE_SECTION',
    line: 2,
    key: 'PrivateKey',
  },
  {
    name: 'a single-valued key written twice (in another case)',
    lines: [...HEAD, 'ListenPort = 51820', 'listenport = 51821'],
    message: 'wg0.conf:4: ListenPort: duplicate key (already set on line 3)',
    code: 'DUPLICATE_KEY',
    line: 4,
    key: 'ListenPort',
  },
  {
    name: 'a second Endpoint line (endpoints go on one line, comma-separated)',
    lines: [...PEER_AFTER_HEAD(), 'Endpoint = 192.0.2.1:51820', 'Endpoint = 192.0.2.2:51820'],
    message: 'wg0.conf:6: Endpoint: duplicate key (already set on line 5)',
    code: 'DUPLICATE_KEY',
    line: 6,
    key: 'Endpoint',
  },
  {
    name: 'a [Peer] without PublicKey, reported at its header',
    lines: [...HEAD, '', '[Peer]', 'AllowedIPs = 10.0.0.0/8', 'Endpoint = 192.0.2.1:51820', '', ...PEER],
    message: 'wg0.conf:4: [Peer] has no PublicKey',
    code: 'MISSING_KEY',
    line: 4,
    key: 'PublicKey',
  },
  {
    name: 'the last [Peer] without PublicKey',
    lines: [...HEAD, ...PEER, '[Peer]', `PresharedKey = ${PSK}`],
    message: 'wg0.conf:5: [Peer] has no PublicKey',
    code: 'MISSING_KEY',
    line: 5,
    key: 'PublicKey',
  },
  {
    name: 'two peers with the same public key',
    lines: [...HEAD, ...PEER, 'AllowedIPs = 10.1.0.0/16', '', '[Peer]', `PublicKey = ${PEER_1}`],
    message: 'wg0.conf:8: PublicKey: duplicate peer: the [Peer] on line 3 has the same key',
    code: 'DUPLICATE_PEER',
    line: 8,
    key: 'PublicKey',
  },
  {
    name: 'an empty file',
    lines: [''],
    message: 'wg0.conf: no [Interface] section',
    code: 'MISSING_INTERFACE',
    line: 0,
  },
  {
    name: 'a file of comments',
    lines: ['# nothing', '   # here'],
    message: 'wg0.conf: no [Interface] section',
    code: 'MISSING_INTERFACE',
    line: 0,
  },
  {
    name: '[Peer] first',
    lines: ['# peers first?', ...PEER, ...HEAD],
    message: 'wg0.conf:2: [Peer] before [Interface]; the file must start with [Interface]',
    code: 'INTERFACE_NOT_FIRST',
    line: 2,
  },
  {
    name: 'a second [Interface]',
    lines: [...HEAD, ...PEER, ...HEAD],
    message: 'wg0.conf:5: second [Interface] section (the first is on line 1)',
    code: 'DUPLICATE_SECTION',
    line: 5,
  },
  {
    name: '[Interface] without PrivateKey, reported at its header',
    lines: ['', '[Interface]', 'ListenPort = 51820', ...PEER],
    message: 'wg0.conf:2: [Interface] has no PrivateKey',
    code: 'MISSING_KEY',
    line: 2,
    key: 'PrivateKey',
  },
  {
    name: 'a line without "="',
    lines: [...HEAD, 'ListenPort 51820'],
    message:
      'wg0.conf:3: expected "Key = Value" or a [Section] header (line not shown: it may hold a secret)',
    code: 'SYNTAX',
    line: 3,
  },
  {
    name: 'a line with "=" and no key',
    lines: [...HEAD, '= 51820'],
    message: 'wg0.conf:3: missing key before "=" (line not shown: it may hold a secret)',
    code: 'SYNTAX',
    line: 3,
  },
  {
    name: 'an unknown section',
    lines: [...HEAD, '', '[Peers]', `PublicKey = ${PEER_1}`],
    message: 'wg0.conf:4: unknown section [Peers] (expected [Interface] or [Peer])',
    code: 'UNKNOWN_SECTION',
    line: 4,
  },
  {
    name: 'an unclosed section header',
    lines: [...HEAD, '[Peer'],
    message: 'wg0.conf:3: malformed section header "[Peer" (expected [Interface] or [Peer])',
    code: 'SYNTAX',
    line: 3,
  },
  // Values.
  {
    name: 'an empty value',
    lines: [...HEAD, 'ListenPort =   # later'],
    message: 'wg0.conf:3: ListenPort: empty value',
    code: 'EMPTY_VALUE',
    line: 3,
    key: 'ListenPort',
  },
  {
    name: 'a port above 65535',
    lines: [...HEAD, 'ListenPort = 65536'],
    message: 'wg0.conf:3: ListenPort: 65536 is outside 0-65535',
    code: 'OUT_OF_RANGE',
    line: 3,
    key: 'ListenPort',
  },
  {
    name: 'a port that is a service name',
    lines: [...HEAD, 'ListenPort = wireguard'],
    message: 'wg0.conf:3: ListenPort: "wireguard" is not a decimal number',
    code: 'BAD_NUMBER',
    line: 3,
    key: 'ListenPort',
  },
  {
    name: 'an MTU below 576',
    lines: [...HEAD, 'MTU = 500'],
    message: 'wg0.conf:3: MTU: 500 is outside 576-65535',
    code: 'OUT_OF_RANGE',
    line: 3,
    key: 'MTU',
  },
  {
    name: 'an MTU below 1280 on an interface with IPv6',
    lines: [...HEAD, 'MTU = 1200', 'Address = 10.0.0.2/24', 'Address = fd00::2/64', ...PEER],
    message: 'wg0.conf:3: MTU: 1200 is below 1280, the minimum for IPv6 (line 5 has an IPv6 Address)',
    code: 'OUT_OF_RANGE',
    line: 3,
    key: 'MTU',
  },
  {
    name: 'a Table that is a name',
    lines: [...HEAD, 'Table = main'],
    message: 'wg0.conf:3: Table: "main" is not "off", "auto" or a table number',
    code: 'BAD_NUMBER',
    line: 3,
    key: 'Table',
  },
  {
    name: 'FwMark past 32 bits',
    lines: [...HEAD, 'FwMark = 0x100000000'],
    message: 'wg0.conf:3: FwMark: 0x100000000 does not fit in 32 bits',
    code: 'OUT_OF_RANGE',
    line: 3,
    key: 'FwMark',
  },
  {
    name: 'SaveConfig = yes',
    lines: [...HEAD, 'SaveConfig = yes'],
    message: 'wg0.conf:3: SaveConfig: "yes" is not "true" or "false"',
    code: 'BAD_BOOLEAN',
    line: 3,
    key: 'SaveConfig',
  },
  {
    name: 'a keepalive above 65535',
    lines: [...PEER_AFTER_HEAD(), 'PersistentKeepalive = 65536'],
    message: 'wg0.conf:5: PersistentKeepalive: 65536 is outside 0-65535',
    code: 'OUT_OF_RANGE',
    line: 5,
    key: 'PersistentKeepalive',
  },
  {
    name: 'a prefix length too long in the second AllowedIPs item',
    lines: [...PEER_AFTER_HEAD(), 'AllowedIPs = 10.0.0.0/8, 10.1.0.0/33'],
    message:
      'wg0.conf:5: AllowedIPs: item 2: bad IP prefix "10.1.0.0/33": prefix length must be 0 to 32 for IPv4',
    code: 'BAD_ADDRESS',
    line: 5,
    key: 'AllowedIPs',
  },
  {
    name: 'a host name in AllowedIPs',
    lines: [...PEER_AFTER_HEAD(), 'AllowedIPs = 10.0.0.0/8', 'AllowedIPs = gateway.lan/32'],
    message:
      'wg0.conf:6: AllowedIPs: item 1: bad IP prefix "gateway.lan/32": "gateway.lan" is not an IPv4 or IPv6 address',
    code: 'BAD_ADDRESS',
    line: 6,
    key: 'AllowedIPs',
  },
  {
    name: 'two commas in a row in AllowedIPs',
    lines: [...PEER_AFTER_HEAD(), 'AllowedIPs = 10.0.0.0/8,, 10.1.0.0/16'],
    message: 'wg0.conf:5: AllowedIPs: item 2 is empty (two commas in a row, or a trailing comma?)',
    code: 'EMPTY_VALUE',
    line: 5,
    key: 'AllowedIPs',
  },
  {
    name: 'an Address with a bad IPv4',
    lines: [...HEAD, 'Address = 10.0.0.256/24'],
    message:
      'wg0.conf:3: Address: item 1: bad IP prefix "10.0.0.256/24": "10.0.0.256" is not an IPv4 or IPv6 address',
    code: 'BAD_ADDRESS',
    line: 3,
    key: 'Address',
  },
  {
    name: 'a DNS server that is not an address',
    lines: [...HEAD, 'DNS = 1.1.1.1, 10.0.0'],
    message: 'wg0.conf:3: DNS: item 2: bad IP address "10.0.0": not an IPv4 or IPv6 address',
    code: 'BAD_ADDRESS',
    line: 3,
    key: 'DNS',
  },
  {
    name: 'an unknown strategy',
    lines: [...PEER_AFTER_HEAD(), 'Strategy = handshake-rase head-start=10ms'],
    message:
      'wg0.conf:5: Strategy: unknown strategy "handshake-rase" (known: handshake-race, heartbeat-probe, roaming)',
    code: 'UNKNOWN_STRATEGY',
    line: 5,
    key: 'Strategy',
  },
  {
    name: 'a strategy option without "="',
    lines: [...PEER_AFTER_HEAD(), 'Strategy = handshake-race head-start 10ms'],
    message: 'wg0.conf:5: Strategy: option "head-start" is not "key=value" (for example head-start=10ms)',
    code: 'BAD_STRATEGY_OPTION',
    line: 5,
    key: 'Strategy',
  },
  {
    name: 'a strategy option given twice',
    lines: [...PEER_AFTER_HEAD(), 'Strategy = handshake-race head-start=10ms head-start=20ms'],
    message: 'wg0.conf:5: Strategy: option "head-start" given twice',
    code: 'BAD_STRATEGY_OPTION',
    line: 5,
    key: 'Strategy',
  },
];

/** `[Interface]` (lines 1-2), then `[Peer]` with PEER_1 (lines 3-4). */
function PEER_AFTER_HEAD(): string[] {
  return [...HEAD, ...PEER];
}

describe('parseConfig: errors name the file, the line and the key', () => {
  it.each(cases)('$name', ({ lines, message, code, line, key }) => {
    const error = errorOf(lines);
    expect(error.message).toBe(message);
    expect(error.code).toBe(code);
    expect(error.file).toBe('wg0.conf');
    expect(error.line).toBe(line);
    expect(error.key).toBe(key);
    expect(error.name).toBe('ConfigError');
    expect(error).toBeInstanceOf(Error);
  });

  it('names the file as given', () => {
    const error = errorOf([...HEAD, 'ListenPrt = 1'], '/etc/wireguard/wg1.conf');
    expect(error.message).toBe('/etc/wireguard/wg1.conf:3: unknown key "ListenPrt" in [Interface]');
    expect(error.reason).toBe('unknown key "ListenPrt" in [Interface]');
  });

  it('keeps the resolver error as the cause of an endpoint error', () => {
    const error = errorOf([...PEER_AFTER_HEAD(), 'Endpoint = [2001:db8::1']);
    expect(error.cause).toBeInstanceOf(EndpointParseError);
    expect((error.cause as EndpointParseError).code).toBe('UNBALANCED_BRACKET');
  });

  it('reports the first problem in file order', () => {
    const error = errorOf([...HEAD, 'MTU = 10', 'ListenPrt = 1', ...PEER, 'Endpoint = x']);
    expect(error.line).toBe(3);
    expect(error.key).toBe('MTU');
  });

  it('reports a peer missing its key before a problem further down', () => {
    const error = errorOf([...HEAD, '[Peer]', 'AllowedIPs = 10.0.0.0/8', '[Peer]', 'PublicKey = junk']);
    expect(error.message).toBe('wg0.conf:3: [Peer] has no PublicKey');
  });

  it('refuses a strategy the caller did not register (default: roaming only)', () => {
    const text = [...PEER_AFTER_HEAD(), 'Strategy = handshake-race'].join('\n');
    expect(() => parseConfig(text, 'wg0.conf')).toThrow(
      'wg0.conf:5: Strategy: unknown strategy "handshake-race" (known: roaming)',
    );
    expect(parseConfig(text, 'wg0.conf', { strategies: ['handshake-race'] }).peers[0]?.strategy.name).toBe(
      'handshake-race',
    );
  });

  it('does not take two peers with different keys as duplicates', () => {
    const text = [...PEER_AFTER_HEAD(), '[Peer]', `PublicKey = ${PEER_2}`].join('\n');
    expect(parseConfig(text, 'wg0.conf').peers.map((p) => p.publicKeyText)).toEqual([PEER_1, PEER_2]);
  });
});

describe('a malformed line that may hold a secret is never echoed (wg(8): "Line unrecognized")', () => {
  it.each([
    ['PrivateKey without "="', ['[Interface]', `PrivateKey ${PRIVATE_KEY}`]],
    ['PresharedKey without "="', [...HEAD, ...PEER, `PresharedKey ${PSK}`]],
    ['a key without its padding and without "="', ['[Interface]', `PrivateKey ${PRIVATE_KEY.slice(0, -1)}`]],
    ['a key alone on a line', [...HEAD, PSK]],
    ['a key after a stray "="', [...HEAD, `= ${PSK}`]],
  ])('%s', (_, lines) => {
    const error = errorOf(lines);
    const secret = lines
      .at(-1)!
      .replace(/^.*?\s/, '')
      .replace(/^=\s*/, '');
    for (let i = 0; i + 8 <= secret.length; i++) expect(error.message).not.toContain(secret.slice(i, i + 8));
    expect(error.line).toBe(lines.length);
    expect(error.message).toContain('not shown');
  });
});
