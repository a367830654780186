import { bytesToHex, nobleBackend } from '@pathwire/crypto';
import { Device } from '@pathwire/engine';
import { describe, expect, it } from 'vitest';
import { ERRNO } from './uapi-errors.js';
import { parseGetReply } from './uapi-get-reply.js';
import { applySet, formatGet, type UapiHooks } from './uapi-protocol.js';

function newDevice(privateKey = nobleBackend.generateSecretKey()) {
  const sent: string[] = [];
  const device = new Device({
    backend: nobleBackend,
    privateKey,
    io: { sendDatagram: (to) => sent.push(`${to.address}:${to.port}`), writePacket: () => {} },
    wallClock: (now) => now,
  });
  return { device, sent };
}

function key() {
  const privateKey = nobleBackend.generateSecretKey();
  const publicKey = nobleBackend.publicKey(privateKey);
  return { privateKey, publicKey, hex: bytesToHex(publicKey) };
}

const ZERO = '0'.repeat(64);
const NOW = 1_000_000;

describe('formatGet', () => {
  it('writes the device and its peers as wireguard-go does, ending with errno=0 and a blank line', () => {
    const secret = nobleBackend.generateSecretKey();
    const { device } = newDevice(secret);
    const peerKey = key();
    const psk = new Uint8Array(32).fill(7);
    const peer = device.setPeer(
      {
        publicKey: peerKey.publicKey,
        presharedKey: psk,
        allowedIPs: ['10.0.0.2/32', 'fd00::/64'],
        endpoints: [
          { address: '192.0.2.1', port: 51820 },
          { address: '2001:db8::1', port: 51820 },
        ],
      },
      NOW,
    );
    device.setActiveEndpoint(peer, { address: '2001:db8::1', port: 51820 }, NOW);
    peer.lastHandshakeWallClock = 1_700_000_000_123;
    peer.rxBytes = 1234;
    peer.txBytes = 5678;

    const text = formatGet(device, NOW, { listenPort: 51820, fwmark: 0 });
    expect(text.endsWith('\nerrno=0\n\n')).toBe(true);
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual([`private_key=${bytesToHex(secret)}`, 'listen_port=51820']);
    expect(lines).not.toContain('fwmark=0');
    const peerLines = lines.slice(2, 14);
    expect(peerLines).toEqual([
      `public_key=${peerKey.hex}`,
      `preshared_key=${bytesToHex(psk)}`,
      'protocol_version=1',
      'endpoint=[2001:db8::1]:51820',
      'last_handshake_time_sec=1700000000',
      'last_handshake_time_nsec=123000000',
      'tx_bytes=5678',
      'rx_bytes=1234',
      'persistent_keepalive_interval=0',
      'allowed_ip=10.0.0.2/32',
      'allowed_ip=fd00::/64',
      `pathwire_strategy=${peer.strategy.name}`,
    ]);
    expect(lines.filter((line) => line.startsWith('endpoint='))).toHaveLength(1);
    const extra = lines.filter((line) => line.startsWith('pathwire_endpoint='));
    expect(extra).toHaveLength(2);
    expect(extra[0]).toMatch(/^pathwire_endpoint=192\.0\.2\.1:51820 origin=configured state=\w+ class=\w+ /);
    expect(extra[1]).toContain('active=true');
    // Every line has a "=" (wg stops at a line without one).
    for (const line of lines.slice(0, -2)) expect(line).toContain('=');
  });

  it('omits a missing endpoint and reports zero times for a peer that never shook hands', () => {
    const { device } = newDevice();
    const peerKey = key();
    device.setPeer({ publicKey: peerKey.publicKey }, NOW);
    const status = parseGetReply(formatGet(device, NOW));
    expect(status.listenPort).toBeUndefined();
    expect(status.peers[0]).toMatchObject({
      publicKey: peerKey.hex,
      presharedKey: ZERO,
      endpoint: undefined,
      lastHandshakeTimeSec: 0,
      lastHandshakeTimeNsec: 0,
    });
  });

  it('reports rtt and ages of endpoints relative to now', () => {
    const { device } = newDevice();
    const peer = device.setPeer(
      { publicKey: key().publicKey, endpoints: [{ address: '192.0.2.9', port: 1 }] },
      NOW,
    );
    const record = peer.endpoints.list[0]!;
    record.noteReceived(NOW - 1500);
    record.noteRtt(12.34);
    const status = parseGetReply(formatGet(device, NOW));
    expect(status.peers[0]!.endpoints[0]).toEqual({
      key: '192.0.2.9:1',
      fields: expect.objectContaining({ rtt_ms: '12.3', rx_ago_ms: '1500', origin: 'configured' }),
    });
  });
});

describe('applySet', () => {
  it('round-trips: a get reply applied to a fresh device reproduces it', async () => {
    const { device: source } = newDevice();
    const a = key();
    const b = key();
    const pa = source.setPeer(
      {
        publicKey: a.publicKey,
        presharedKey: new Uint8Array(32).fill(1),
        allowedIPs: ['10.0.0.2/32'],
        persistentKeepalive: 25,
      },
      NOW,
    );
    source.setActiveEndpoint(pa, { address: '198.51.100.7', port: 51820 }, NOW);
    source.setPeer({ publicKey: b.publicKey, allowedIPs: ['10.0.1.0/24', '2001:db8::/48'] }, NOW);

    // A get reply minus the read-only keys is a valid set body.
    const readOnly =
      /^(last_handshake_time_sec|last_handshake_time_nsec|tx_bytes|rx_bytes|pathwire_\w+|errno)=/;
    const body = formatGet(source, NOW)
      .split('\n')
      .filter((line) => line !== '' && !readOnly.test(line));
    const { device: copy } = newDevice();
    const result = await applySet(copy, body, NOW);
    expect(result).toEqual({ errno: 0, error: undefined });

    const strip = (text: string) => {
      const status = parseGetReply(text);
      return { ...status, peers: status.peers.map((p) => ({ ...p, endpoints: [], txBytes: 0 })) };
    };
    expect(strip(formatGet(copy, NOW))).toEqual(strip(formatGet(source, NOW)));
    expect(copy.peer(a.publicKey)!.active?.key).toBe('198.51.100.7:51820');
  });

  it('is all or nothing: a bad allowed_ip after a valid private_key changes nothing', async () => {
    const { device } = newDevice();
    const before = formatGet(device, NOW);
    const publicBefore = bytesToHex(device.publicKey);
    const peer = key();
    const result = await applySet(
      device,
      [
        `private_key=${bytesToHex(nobleBackend.generateSecretKey())}`,
        `public_key=${peer.hex}`,
        'allowed_ip=10.0.0.0/8',
        'allowed_ip=10.0.0.300/32',
      ],
      NOW,
    );
    expect(result.errno).toBe(ERRNO.EINVAL);
    expect(result.error?.code).toBe('INVALID_VALUE');
    expect(result.error?.line).toBe(4);
    expect(bytesToHex(device.publicKey)).toBe(publicBefore);
    expect(device.peer(peer.publicKey)).toBeUndefined();
    expect(formatGet(device, NOW)).toBe(before);
  });

  it.each([
    ['an unknown device key', ['bogus=1'], ERRNO.EINVAL, 'UNKNOWN_KEY'],
    ['a peer key before any public_key', ['allowed_ip=10.0.0.0/8'], ERRNO.EINVAL, 'UNKNOWN_KEY'],
    [
      'a device key inside a peer',
      [`public_key=${'1'.repeat(64)}`, 'listen_port=1'],
      ERRNO.EINVAL,
      'UNKNOWN_KEY',
    ],
    ['a line without "="', ['private_key'], ERRNO.EPROTO, 'PROTOCOL'],
    ['a short key', ['private_key=abcd'], ERRNO.EINVAL, 'INVALID_VALUE'],
    ['a zero public key', [`public_key=${ZERO}`], ERRNO.EINVAL, 'INVALID_VALUE'],
    ['replace_peers=false', ['replace_peers=false'], ERRNO.EINVAL, 'INVALID_VALUE'],
    ['a port out of range', ['listen_port=65536'], ERRNO.EINVAL, 'INVALID_VALUE'],
    ['a signed fwmark', ['fwmark=-1'], ERRNO.EINVAL, 'INVALID_VALUE'],
    [
      'a host name endpoint',
      [`public_key=${'1'.repeat(64)}`, 'endpoint=example.org:51820'],
      ERRNO.EINVAL,
      'INVALID_VALUE',
    ],
    [
      'an unbracketed IPv6 endpoint',
      [`public_key=${'1'.repeat(64)}`, 'endpoint=2001:db8::1:51820'],
      ERRNO.EINVAL,
      'INVALID_VALUE',
    ],
    [
      'an allowed_ip without length',
      [`public_key=${'1'.repeat(64)}`, 'allowed_ip=10.0.0.1'],
      ERRNO.EINVAL,
      'INVALID_VALUE',
    ],
    [
      'a keepalive over 65535',
      [`public_key=${'1'.repeat(64)}`, 'persistent_keepalive_interval=65536'],
      ERRNO.EINVAL,
      'INVALID_VALUE',
    ],
    [
      'protocol_version=2',
      [`public_key=${'1'.repeat(64)}`, 'protocol_version=2'],
      ERRNO.EINVAL,
      'INVALID_VALUE',
    ],
    [
      'an unknown peer key',
      [`public_key=${'1'.repeat(64)}`, 'endpoints=1.2.3.4:5'],
      ERRNO.EINVAL,
      'UNKNOWN_KEY',
    ],
  ])('refuses %s', async (_name, lines, errno, code) => {
    const { device } = newDevice();
    const before = formatGet(device, NOW);
    const result = await applySet(device, lines, NOW, { setListenPort: () => undefined });
    expect(result.errno).toBe(errno);
    expect(result.error?.code).toBe(code);
    expect(formatGet(device, NOW)).toBe(before);
  });

  it('adds allowed IPs to the existing ones, or replaces them after replace_allowed_ips=true', async () => {
    const { device } = newDevice();
    const peer = key();
    device.setPeer({ publicKey: peer.publicKey, allowedIPs: ['10.0.0.1/32'] }, NOW);
    await applySet(device, [`public_key=${peer.hex}`, 'allowed_ip=10.0.0.2/32'], NOW);
    expect(device.allowedIPsOf(device.peer(peer.publicKey)!)).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
    await applySet(
      device,
      [
        `public_key=${peer.hex}`,
        'allowed_ip=10.9.9.9/32',
        'replace_allowed_ips=true',
        'allowed_ip=10.1.2.3/16',
      ],
      NOW,
    );
    expect(device.allowedIPsOf(device.peer(peer.publicKey)!)).toEqual(['10.1.0.0/16']);
  });

  it('moves a prefix held by another peer, as wireguard-go does', async () => {
    const { device } = newDevice();
    const a = key();
    const b = key();
    device.setPeer({ publicKey: a.publicKey, allowedIPs: ['10.0.0.0/24'] }, NOW);
    await applySet(device, [`public_key=${b.hex}`, 'allowed_ip=10.0.0.0/24'], NOW);
    expect(device.allowedIPsOf(device.peer(a.publicKey)!)).toEqual([]);
    expect(device.allowedIPsOf(device.peer(b.publicKey)!)).toEqual(['10.0.0.0/24']);
  });

  it('remove=true removes the peer and ignores the rest of its section', async () => {
    const { device } = newDevice();
    const a = key();
    const b = key();
    device.setPeer({ publicKey: a.publicKey, allowedIPs: ['10.0.0.1/32'] }, NOW);
    device.setPeer({ publicKey: b.publicKey }, NOW);
    const result = await applySet(
      device,
      [`public_key=${a.hex}`, 'remove=true', 'allowed_ip=10.0.0.9/32'],
      NOW,
    );
    expect(result.errno).toBe(0);
    expect(device.peer(a.publicKey)).toBeUndefined();
    expect(device.peer(b.publicKey)).toBeDefined();
    // Removing an unknown peer is not an error.
    expect((await applySet(device, [`public_key=${key().hex}`, 'remove=true'], NOW)).errno).toBe(0);
  });

  it('replace_peers=true removes every peer not configured again', async () => {
    const { device } = newDevice();
    const a = key();
    const b = key();
    device.setPeer({ publicKey: a.publicKey }, NOW);
    device.setPeer({ publicKey: b.publicKey }, NOW);
    const result = await applySet(
      device,
      ['replace_peers=true', `public_key=${b.hex}`, 'allowed_ip=10.0.0.2/32'],
      NOW,
    );
    expect(result.errno).toBe(0);
    expect([...device.peers()].map((p) => bytesToHex(p.publicKey))).toEqual([b.hex]);
    expect(device.allowedIPsOf(device.peer(b.publicKey)!)).toEqual(['10.0.0.2/32']);
  });

  it('update_only=true updates an existing peer but creates none', async () => {
    const { device } = newDevice();
    const a = key();
    const b = key();
    device.setPeer({ publicKey: a.publicKey }, NOW);
    const result = await applySet(
      device,
      [
        `public_key=${a.hex}`,
        'update_only=true',
        'allowed_ip=10.0.0.1/32',
        `public_key=${b.hex}`,
        'allowed_ip=10.0.0.2/32',
        'update_only=true',
      ],
      NOW,
    );
    expect(result.errno).toBe(0);
    expect(device.allowedIPsOf(device.peer(a.publicKey)!)).toEqual(['10.0.0.1/32']);
    expect(device.peer(b.publicKey)).toBeUndefined();
  });

  it('endpoint= makes the endpoint active and adds it to the set', async () => {
    const { device } = newDevice();
    const a = key();
    device.setPeer({ publicKey: a.publicKey, endpoints: [{ address: '192.0.2.1', port: 1 }] }, NOW);
    await applySet(device, [`public_key=${a.hex}`, 'endpoint=[2001:DB8::7]:51820'], NOW);
    const peer = device.peer(a.publicKey)!;
    expect(peer.active?.key).toBe('[2001:db8::7]:51820');
    expect(peer.endpoints.list.map((r) => r.key)).toEqual(['192.0.2.1:1', '[2001:db8::7]:51820']);
    expect(formatGet(device, NOW).match(/^endpoint=.*$/gm)).toEqual(['endpoint=[2001:db8::7]:51820']);
  });

  it('sets and clears the preshared key', async () => {
    const { device } = newDevice();
    const a = key();
    const psk = 'ab'.repeat(32);
    await applySet(device, [`public_key=${a.hex}`, `preshared_key=${psk}`], NOW);
    expect(bytesToHex(device.peer(a.publicKey)!.handshake.presharedKey)).toBe(psk);
    await applySet(device, [`public_key=${a.hex}`, `preshared_key=${ZERO}`], NOW);
    expect(bytesToHex(device.peer(a.publicKey)!.handshake.presharedKey)).toBe(ZERO);
  });

  it('sends a keepalive when persistent keepalive turns on, not when it is set again unchanged', async () => {
    const { device, sent } = newDevice();
    const a = key();
    await applySet(
      device,
      [`public_key=${a.hex}`, 'endpoint=192.0.2.1:51820', 'persistent_keepalive_interval=25'],
      NOW,
    );
    expect(device.peer(a.publicKey)!.persistentKeepaliveMs).toBe(25_000);
    const afterFirst = sent.length;
    expect(afterFirst).toBeGreaterThan(0); // a handshake initiation for the keepalive
    await applySet(device, [`public_key=${a.hex}`, 'persistent_keepalive_interval=25'], NOW + 1);
    expect(sent.length).toBe(afterFirst);
  });

  it('changes the private key and ignores a section for the device itself', async () => {
    const { device } = newDevice();
    const secret = nobleBackend.generateSecretKey();
    const own = bytesToHex(nobleBackend.publicKey(secret));
    const result = await applySet(device, [`private_key=${bytesToHex(secret)}`, `public_key=${own}`], NOW);
    expect(result.errno).toBe(0);
    expect(bytesToHex(device.publicKey)).toBe(own);
    expect([...device.peers()]).toHaveLength(0);
  });

  it('stops at the blank line that ends the transaction', async () => {
    const { device } = newDevice();
    const a = key();
    const result = await applySet(device, `public_key=${a.hex}\n\ngarbage\n`, NOW);
    expect(result.errno).toBe(0);
    expect(device.peer(a.publicKey)).toBeDefined();
  });

  it('applies listen_port and fwmark through the hooks, and nothing else when they fail', async () => {
    const { device } = newDevice();
    let port = 51820;
    let mark = 0;
    let changed = 0;
    const hooks: UapiHooks = {
      listenPort: () => port,
      setListenPort: async (next) => {
        if (next === 1) return 'address already in use';
        port = next;
      },
      fwmark: () => mark,
      setFwmark: (next) => {
        if (next === 13) throw new Error('EPERM');
        mark = next;
      },
      changed: () => changed++,
    };
    expect((await applySet(device, ['listen_port=4000', 'fwmark=7'], NOW, hooks)).errno).toBe(0);
    expect([port, mark, changed]).toEqual([4000, 7, 1]);
    expect(formatGet(device, NOW, { listenPort: port, fwmark: mark })).toMatch(
      /\nlisten_port=4000\nfwmark=7\n/,
    );

    const a = key();
    const busy = await applySet(device, ['listen_port=1', `public_key=${a.hex}`], NOW, hooks);
    expect(busy.errno).toBe(ERRNO.EADDRINUSE);
    expect(busy.error?.message).toContain('address already in use');
    expect(device.peer(a.publicKey)).toBeUndefined();

    // fwmark fails after the port changed: the port is put back.
    const marked = await applySet(
      device,
      ['listen_port=5000', 'fwmark=13', `public_key=${a.hex}`],
      NOW,
      hooks,
    );
    expect(marked.errno).toBe(ERRNO.EADDRINUSE);
    expect([port, mark, changed]).toEqual([4000, 7, 1]);
    expect(device.peer(a.publicKey)).toBeUndefined();
  });

  it('answers EOPNOTSUPP for socket settings the daemon has no hook for', async () => {
    const { device } = newDevice();
    expect((await applySet(device, ['listen_port=1'], NOW)).errno).toBe(ERRNO.EOPNOTSUPP);
    expect((await applySet(device, ['fwmark=3'], NOW)).errno).toBe(ERRNO.EOPNOTSUPP);
    expect((await applySet(device, ['fwmark=0'], NOW)).errno).toBe(0);
  });

  it('gives new peers the strategy the daemon chooses', async () => {
    const { device } = newDevice();
    const a = key();
    const base = device.setPeer({ publicKey: key().publicKey }, NOW).strategy;
    const strategy = { ...base, name: 'custom-test', handle: () => [] };
    await applySet(device, [`public_key=${a.hex}`], NOW, { strategyFor: () => strategy });
    expect(device.peer(a.publicKey)!.strategy.name).toBe('custom-test');
    expect(formatGet(device, NOW)).toContain('pathwire_strategy=custom-test');
  });
});
