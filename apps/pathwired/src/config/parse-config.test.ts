import { describe, expect, it } from 'vitest';
import { FULL, PEER_1, PEER_2, PRIVATE_KEY, PSK, STRATEGIES } from './fixtures.test-helper.js';
import { parseConfig } from './parse-config.js';
import { parseWgKey } from './wg-key.js';

describe('parseConfig: a full config', () => {
  const config = parseConfig(FULL, 'wg0.conf', { strategies: STRATEGIES });
  const iface = config.interface;
  const [office, lan, quiet] = config.peers;

  it('reads the interface', () => {
    expect(iface.line).toBe(2);
    expect(iface.privateKey).toEqual(parseWgKey(PRIVATE_KEY));
    expect(iface.listenPort).toBe(51820);
    // Host bits kept (10.8.0.2/24 is not masked); a bare host gets /32.
    expect(iface.addresses).toEqual(['10.8.0.2/24', 'fd00:8::2/64', '192.168.77.5/32']);
    expect(iface.dns).toEqual(['10.8.0.1', '2001:db8::53', 'corp.example']);
    expect(iface.mtu).toBe(1420);
    expect(iface.table).toBe('auto');
    expect(iface.fwMark).toBe(0xca6c);
    expect(iface.saveConfig).toBe(false);
    expect(iface.preUp).toEqual([]);
    expect(iface.postUp).toEqual([
      'iptables -A FORWARD -i %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE',
      'ip rule add from 10.8.0.2 table 200',
    ]);
    expect(iface.preDown).toEqual(['logger "wg0 going down"']);
    expect(iface.postDown).toEqual([]);
  });

  it('records the line of every key (the first one for repeated keys)', () => {
    expect(iface.lines).toEqual({
      PrivateKey: 3,
      ListenPort: 4,
      Address: 5,
      DNS: 7,
      MTU: 8,
      Table: 9,
      FwMark: 10,
      PostUp: 11,
      PreDown: 13,
      SaveConfig: 14,
    });
    expect(office?.lines).toEqual({
      PublicKey: 18,
      PresharedKey: 19,
      AllowedIPs: 20,
      Endpoint: 23,
      PersistentKeepalive: 24,
      Strategy: 25,
    });
  });

  it('reads a peer with four endpoints, a psk, repeated AllowedIPs and a strategy with options', () => {
    expect(config.peers).toHaveLength(3);
    expect(office?.line).toBe(16);
    expect(office?.publicKeyText).toBe(PEER_1);
    expect(office?.publicKey).toEqual(parseWgKey(PEER_1));
    expect(office?.presharedKey).toEqual(parseWgKey(PSK));
    // Masked and canonical; the repeated 10.20.0.0/16 appears once.
    expect(office?.allowedIPs).toEqual(['10.8.0.0/24', 'fd00:8::/64', '10.20.0.0/16', '192.168.1.0/24']);
    expect(office?.endpointText).toBe(
      '203.0.113.7:51820, [2001:db8::7]:51820, VPN.Example.org:51820, 192.168.1.2:51820',
    );
    expect(office?.endpoints).toEqual([
      {
        kind: 'address',
        address: '203.0.113.7',
        family: 4,
        port: 51820,
        text: '203.0.113.7:51820',
        index: 0,
        offset: 0,
      },
      {
        kind: 'address',
        address: '2001:db8::7',
        family: 6,
        port: 51820,
        text: '[2001:db8::7]:51820',
        index: 1,
        offset: 19,
      },
      {
        kind: 'hostname',
        hostname: 'vpn.example.org',
        port: 51820,
        text: 'VPN.Example.org:51820',
        index: 2,
        offset: 40,
      },
      {
        kind: 'address',
        address: '192.168.1.2',
        family: 4,
        port: 51820,
        text: '192.168.1.2:51820',
        index: 3,
        offset: 63,
      },
    ]);
    expect(office?.persistentKeepalive).toBe(25);
    expect(office?.strategy).toEqual({
      name: 'handshake-race',
      options: { 'head-start': '10ms', suspicion: '2s' },
    });
  });

  it('keeps a zoned link-local endpoint, reads keepalive "off" as 0 and defaults the strategy to roaming', () => {
    expect(lan?.endpoints).toMatchObject([
      { kind: 'address', address: 'fe80::1%eth0', family: 6, port: 51820 },
    ]);
    expect(lan?.persistentKeepalive).toBe(0);
    expect(lan?.strategy).toEqual({ name: 'roaming', options: {} });
    expect(lan?.lines.Strategy).toBeUndefined();
    expect(lan?.presharedKey).toBeUndefined();
  });

  it('leaves absent values absent', () => {
    expect(quiet?.endpoints).toEqual([]);
    expect('endpointText' in quiet!).toBe(false);
    expect('persistentKeepalive' in quiet!).toBe(false);
    expect('presharedKey' in quiet!).toBe(false);
    expect(quiet?.allowedIPs).toEqual(['10.8.0.3/32']);
  });
});

const MINIMAL = `[Interface]\nPrivateKey = ${PRIVATE_KEY}\n`;

describe('parseConfig: lexical rules', () => {
  it('takes section names and keys in any case, and reports canonical key names', () => {
    const text = [
      '[INTERFACE]',
      `privatekey = ${PRIVATE_KEY}`,
      'LISTENPORT = 1',
      'mtu = 1280',
      'table = OFF',
      'savecONFIG = TRUE',
      '[peer]',
      `PUBLICKEY = ${PEER_1}`,
      'allowedips = 10.0.0.0/8',
      'ENDPOINT = 192.0.2.1:51820',
      'persistentKEEPALIVE = OFF',
      'sTrAtEgY = roaming',
    ].join('\n');
    const config = parseConfig(text, 'wg0.conf');
    expect(config.interface.listenPort).toBe(1);
    expect(config.interface.mtu).toBe(1280);
    expect(config.interface.table).toBe('off');
    expect(config.interface.saveConfig).toBe(true);
    expect(Object.keys(config.interface.lines)).toEqual([
      'PrivateKey',
      'ListenPort',
      'MTU',
      'Table',
      'SaveConfig',
    ]);
    expect(config.peers[0]?.allowedIPs).toEqual(['10.0.0.0/8']);
    expect(config.peers[0]?.persistentKeepalive).toBe(0);
    expect(config.peers[0]?.lines.Strategy).toBe(12);
  });

  it('ignores comments, blank lines and whitespace; takes CRLF and a BOM', () => {
    const text = [
      '\uFEFF# generated by hand',
      '   ',
      '  [Interface]   # the only interface',
      `\tPrivateKey=${PRIVATE_KEY}# no space before the comment`,
      '  ListenPort   =   51820  ',
      '#ListenPort = 1',
      '[ Peer ]',
      `PublicKey = ${PEER_1}`,
      'Endpoint = 192.0.2.1:51820 ,  [2001:db8::1]:51820   # two ways',
    ].join('\r\n');
    const config = parseConfig(text, 'wg0.conf');
    expect(config.interface.line).toBe(3);
    expect(config.interface.listenPort).toBe(51820);
    expect(config.interface.lines.ListenPort).toBe(5);
    expect(config.peers[0]?.line).toBe(7);
    expect(config.peers[0]?.endpointText).toBe('192.0.2.1:51820 ,  [2001:db8::1]:51820');
    expect(config.peers[0]?.endpoints.map((e) => e.text)).toEqual(['192.0.2.1:51820', '[2001:db8::1]:51820']);
  });

  it('cuts a command at "#", as wg-quick does', () => {
    const config = parseConfig(`${MINIMAL}PostUp = echo up # and a comment\n`, 'wg0.conf');
    expect(config.interface.postUp).toEqual(['echo up']);
  });

  it('takes a file with an interface and no peer', () => {
    const config = parseConfig(MINIMAL, 'wg0.conf');
    expect(config.peers).toEqual([]);
    expect(config.interface.addresses).toEqual([]);
    expect('listenPort' in config.interface).toBe(false);
  });

  it('accepts a blank list value as no entries', () => {
    const config = parseConfig(
      `${MINIMAL}Address =\n[Peer]\nPublicKey = ${PEER_1}\nAllowedIPs =\n`,
      'wg0.conf',
    );
    expect(config.interface.addresses).toEqual([]);
    expect(config.peers[0]?.allowedIPs).toEqual([]);
  });
});

describe('parseConfig: values', () => {
  const iface = (lines: string): ReturnType<typeof parseConfig>['interface'] =>
    parseConfig(`${MINIMAL}${lines}\n`, 'wg0.conf').interface;

  it('reads FwMark in decimal, hex or "off"', () => {
    expect(iface('FwMark = 51820').fwMark).toBe(51820);
    expect(iface('FwMark = 0xFFFFFFFF').fwMark).toBe(0xffffffff);
    expect(iface('FwMark = Off').fwMark).toBe('off');
  });

  it('reads Table as a number', () => {
    expect(iface('Table = 200').table).toBe(200);
  });

  it('reads ListenPort 0 (any port) and 65535', () => {
    expect(iface('ListenPort = 0').listenPort).toBe(0);
    expect(iface('ListenPort = 65535').listenPort).toBe(65535);
  });

  it('accepts an MTU below 1280 on an IPv4-only interface, and the bounds', () => {
    expect(iface('Address = 10.0.0.1/24\nMTU = 1200').mtu).toBe(1200);
    expect(iface('MTU = 576').mtu).toBe(576);
    expect(iface('MTU = 65535').mtu).toBe(65535);
    expect(iface('Address = fd00::1/64\nMTU = 1280').mtu).toBe(1280);
  });

  it('writes interface addresses canonically without masking, and drops exact duplicates', () => {
    expect(
      iface('Address = FD00:0:0::1:2/48, 10.0.0.1/8, 2001:db8::1\nAddress = 10.0.0.1/8').addresses,
    ).toEqual(['fd00::1:2/48', '10.0.0.1/8', '2001:db8::1/128']);
  });

  it('keeps DNS servers and search domains in order, repeated lines accumulating', () => {
    expect(iface('DNS = 1.1.1.1, example.com\nDNS = ::1, lan').dns).toEqual([
      '1.1.1.1',
      'example.com',
      '::1',
      'lan',
    ]);
  });

  it('reads Strategy without options, and options with "=" in the value', () => {
    const peer = (strategy: string) =>
      parseConfig(`${MINIMAL}[Peer]\nPublicKey = ${PEER_1}\nStrategy = ${strategy}\n`, 'wg0.conf', {
        strategies: STRATEGIES,
      }).peers[0]?.strategy;
    expect(peer('heartbeat-probe')).toEqual({ name: 'heartbeat-probe', options: {} });
    expect(peer('heartbeat-probe   interval=1s\tfilter=a=b')).toEqual({
      name: 'heartbeat-probe',
      options: { interval: '1s', filter: 'a=b' },
    });
    // An option named like an Object.prototype member is an ordinary key.
    expect(peer('roaming __proto__=x')?.options).toEqual(Object.fromEntries([['__proto__', 'x']]));
  });

  it('accepts the same AllowedIPs in two peers (wg moves it to the later peer; the engine decides)', () => {
    const text = `${MINIMAL}[Peer]\nPublicKey = ${PEER_1}\nAllowedIPs = 10.0.0.0/8\n[Peer]\nPublicKey = ${PEER_2}\nAllowedIPs = 10.0.0.0/8\n`;
    expect(parseConfig(text, 'wg0.conf').peers.map((p) => p.allowedIPs)).toEqual([
      ['10.0.0.0/8'],
      ['10.0.0.0/8'],
    ]);
  });
});
