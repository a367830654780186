import { describe, expect, it } from 'vitest';
import { FULL, PEER_1, PRIVATE_KEY, PSK, STRATEGIES } from './fixtures.test-helper.js';
import { formatConfig } from './format-config.js';
import { parseConfig } from './parse-config.js';
import type { DaemonConfig } from './types.js';

const options = { strategies: STRATEGIES };
const parse = (text: string): DaemonConfig => parseConfig(text, 'wg0.conf', options);

/** The config without what depends on layout: line numbers, and endpoint items' text and offsets. */
function meaning(config: DaemonConfig): unknown {
  const { line: _l, lines: _ls, ...iface } = config.interface;
  return {
    interface: iface,
    peers: config.peers.map(({ line: _pl, lines: _pls, endpointText: _t, endpoints, ...peer }) => ({
      ...peer,
      endpoints: endpoints.map(({ text: _x, offset: _o, ...item }) => item),
    })),
  };
}

describe('formatConfig', () => {
  const first = parse(FULL);
  const text = formatConfig(first);

  it('writes the full config canonically, several endpoints on one line joined by ", "', () => {
    expect(text).toBe(
      [
        '[Interface]',
        `PrivateKey = ${PRIVATE_KEY}`,
        'ListenPort = 51820',
        'FwMark = 0xca6c',
        'Address = 10.8.0.2/24, fd00:8::2/64, 192.168.77.5/32',
        'DNS = 10.8.0.1, 2001:db8::53, corp.example',
        'MTU = 1420',
        'Table = auto',
        'PostUp = iptables -A FORWARD -i %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE',
        'PostUp = ip rule add from 10.8.0.2 table 200',
        'PreDown = logger "wg0 going down"',
        'SaveConfig = false',
        '',
        '[Peer]',
        `PublicKey = ${PEER_1}`,
        `PresharedKey = ${PSK}`,
        'AllowedIPs = 10.8.0.0/24, fd00:8::/64, 10.20.0.0/16, 192.168.1.0/24',
        'Endpoint = 203.0.113.7:51820, [2001:db8::7]:51820, vpn.example.org:51820, 192.168.1.2:51820',
        'PersistentKeepalive = 25',
        'Strategy = handshake-race head-start=10ms suspicion=2s',
        '',
        '[Peer]',
        'PublicKey = wJE4awm1XT9luJ7Kci8EL7oCa3LOYjC2Sa5YAP75sWs=',
        'AllowedIPs = 10.9.0.0/16',
        'Endpoint = [fe80::1%eth0]:51820',
        'PersistentKeepalive = off',
        '',
        '[Peer]',
        'PublicKey = mNkPmSQJ0tFHvVLa+nBOjtyMOg7cM56HRTk6VvMBV28=',
        'AllowedIPs = 10.8.0.3/32',
        '',
      ].join('\n'),
    );
  });

  it('round-trips: the formatted text means the same as the original', () => {
    const second = parse(text);
    expect(meaning(second)).toStrictEqual(meaning(first));
    expect(second.peers[0]?.endpointText).toBe(
      '203.0.113.7:51820, [2001:db8::7]:51820, vpn.example.org:51820, 192.168.1.2:51820',
    );
  });

  it('round-trips exactly, line numbers included, once the text is formatted', () => {
    const second = parse(text);
    expect(parse(formatConfig(second))).toStrictEqual(second);
    expect(formatConfig(second)).toBe(text);
  });

  it('round-trips the other values: FwMark off, a numeric table, hooks, keepalive 0, a hostname endpoint', () => {
    const source = [
      '[Interface]',
      `PrivateKey = ${PRIVATE_KEY}`,
      'FwMark = off',
      'Table = 1234',
      'SaveConfig = true',
      'PreUp = echo 1',
      'PreUp = echo 2',
      'PostDown = echo 3',
      '[Peer]',
      `PublicKey = ${PEER_1}`,
      'Endpoint = [::ffff:192.0.2.1]:1, bücher.example:65535',
      'PersistentKeepalive = 0',
      'Strategy = roaming learn=off',
    ].join('\n');
    const first = parse(source);
    const formatted = formatConfig(first);
    expect(formatted).toContain('Endpoint = 192.0.2.1:1, xn--bcher-kva.example:65535\n');
    expect(formatted).toContain('Strategy = roaming learn=off\n');
    const second = parse(formatted);
    expect(meaning(second)).toStrictEqual(meaning(first));
    expect(parse(formatConfig(second))).toStrictEqual(second);
  });

  it('omits the default strategy and absent values', () => {
    const minimal = `[Interface]\nPrivateKey = ${PRIVATE_KEY}\n\n[Peer]\nPublicKey = ${PEER_1}\nStrategy = roaming\n`;
    expect(formatConfig(parse(minimal))).toBe(
      `[Interface]\nPrivateKey = ${PRIVATE_KEY}\n\n[Peer]\nPublicKey = ${PEER_1}\n`,
    );
  });
});
