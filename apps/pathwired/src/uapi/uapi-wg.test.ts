/**
 * The UAPI socket driven by the real `wg` (wireguard-tools) at /var/run/wireguard: no TUN is
 * needed, `wg` only talks to the socket. Root only; under CI=true these must run.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToBase64, nobleBackend } from '@pathwire/crypto';
import { Device } from '@pathwire/engine';
import { describeWith, namespaceCapability } from '@pathwire/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { UapiHooks } from './uapi-protocol.js';
import { serveUapi, type UapiServer } from './uapi-server.js';

const IFACE = `pwu${process.pid % 1000}`;
const OTHER = `pwv${process.pid % 1000}`;
const NOW = 5_000_000;

interface WgResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `wg` without blocking: the server answering it lives in this process's event loop. */
function wgRun(args: readonly string[]): Promise<WgResult> {
  return new Promise((resolve) => {
    execFile('wg', args, { encoding: 'utf8', timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function wg(...args: string[]): Promise<string> {
  const result = await wgRun(args);
  if (result.code !== 0) throw new Error(`wg ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** Runs `wg` expecting failure; returns its stderr. */
async function wgFails(...args: string[]): Promise<string> {
  const result = await wgRun(args);
  if (result.code === 0) throw new Error(`wg ${args.join(' ')} succeeded`);
  return result.stderr;
}

function keyPair() {
  const privateKey = nobleBackend.generateSecretKey();
  const publicKey = nobleBackend.publicKey(privateKey);
  return {
    privateKey,
    publicKey,
    base64: bytesToBase64(publicKey),
    privateBase64: bytesToBase64(privateKey),
  };
}

function newDevice(privateKey = nobleBackend.generateSecretKey()) {
  return new Device({
    backend: nobleBackend,
    privateKey,
    io: { sendDatagram: () => {}, writePacket: () => {} },
  });
}

describeWith(namespaceCapability(['wg']), 'UAPI with the real wg', () => {
  let device: Device;
  let server: UapiServer | undefined;
  let port: number;
  let scratch: string;
  const peer = keyPair();

  const hooks: UapiHooks = {
    listenPort: () => port,
    setListenPort: (next) => {
      if (next === 1) return 'address already in use';
      port = next;
    },
  };

  beforeEach(async () => {
    port = 51820;
    scratch = await mkdtemp(join(tmpdir(), 'pathwire-wg-'));
    device = newDevice();
    const p = device.setPeer(
      {
        publicKey: peer.publicKey,
        allowedIPs: ['10.44.0.2/32', 'fd44::/64'],
        endpoints: [
          { address: '192.0.2.10', port: 51820 },
          { address: '2001:db8::10', port: 51820 },
        ],
        persistentKeepalive: 25,
      },
      NOW,
    );
    device.setActiveEndpoint(p, { address: '192.0.2.10', port: 51820 }, NOW);
    p.lastHandshakeWallClock = 1_700_000_000_500;
    p.rxBytes = 100;
    p.txBytes = 200;
    server = await serveUapi({ iface: IFACE, device, now: () => NOW, hooks });
  });

  afterEach(async () => {
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('serves /var/run/wireguard/IFACE.sock with mode 0600', async () => {
    expect(server!.path).toBe(`/var/run/wireguard/${IFACE}.sock`);
    expect((await stat(server!.path)).mode & 0o777).toBe(0o600);
  });

  it('wg show lists the peer with its active endpoint and allowed ips (pathwire keys ignored)', async () => {
    const out = await wg('show', IFACE);
    expect(out).toContain(`interface: ${IFACE}`);
    expect(out).toContain(`public key: ${bytesToBase64(device.publicKey)}`);
    expect(out).toContain('listening port: 51820');
    expect(out).toContain(`peer: ${peer.base64}`);
    expect(out).toContain('endpoint: 192.0.2.10:51820');
    expect(out).toContain('allowed ips: 10.44.0.2/32, fd44::/64');
    expect(out).toContain('persistent keepalive: every 25 seconds');
    expect(out).not.toContain('2001:db8::10');
  });

  it('wg show dump has the fields wg reads', async () => {
    const [iface, ...peers] = (await wg('show', IFACE, 'dump')).trim().split('\n');
    expect(iface!.split('\t')).toEqual([expect.any(String), bytesToBase64(device.publicKey), '51820', 'off']);
    expect(peers).toHaveLength(1);
    expect(peers[0]!.split('\t')).toEqual([
      peer.base64,
      '(none)',
      '192.0.2.10:51820',
      '10.44.0.2/32,fd44::/64',
      '1700000000',
      '100',
      '200',
      '25',
    ]);
  });

  it('wg showconf prints a config that wg setconf takes back', async () => {
    const conf = await wg('showconf', IFACE);
    expect(conf).toMatch(/^\[Interface\]\nListenPort = 51820\nPrivateKey = [A-Za-z0-9+/]{43}=\n/);
    expect(conf).toContain(`[Peer]\nPublicKey = ${peer.base64}\n`);
    expect(conf).toContain('AllowedIPs = 10.44.0.2/32, fd44::/64\n');
    expect(conf).toContain('Endpoint = 192.0.2.10:51820\n');
    expect(conf).toContain('PersistentKeepalive = 25\n');

    const file = join(scratch, 'copy.conf');
    await writeFile(file, conf, { mode: 0o600 });
    const copy = newDevice();
    let copyPort = 0;
    const other = await serveUapi({
      iface: OTHER,
      device: copy,
      now: () => NOW,
      hooks: {
        listenPort: () => copyPort,
        setListenPort: (next) => {
          copyPort = next;
        },
      },
    });
    try {
      await wg('setconf', OTHER, file);
      expect(bytesToBase64(copy.publicKey)).toBe(bytesToBase64(device.publicKey));
      expect(copyPort).toBe(51820);
      expect(await wg('showconf', OTHER)).toBe(conf);
    } finally {
      await other.close();
    }
  });

  it('wg set … endpoint makes that endpoint the active one', async () => {
    await wg('set', IFACE, 'peer', peer.base64, 'endpoint', '198.51.100.7:51820');
    const p = device.peer(peer.publicKey)!;
    expect(p.active?.key).toBe('198.51.100.7:51820');
    expect(p.endpoints.list.map((r) => r.key)).toContain('192.0.2.10:51820');
    expect(await wg('show', IFACE, 'endpoints')).toBe(`${peer.base64}\t198.51.100.7:51820\n`);
    await wg('set', IFACE, 'peer', peer.base64, 'endpoint', '[2001:db8::99]:4500');
    expect(device.peer(peer.publicKey)!.active?.key).toBe('[2001:db8::99]:4500');
  });

  it('wg set … allowed-ips replaces them, and remove removes the peer', async () => {
    await wg('set', IFACE, 'peer', peer.base64, 'allowed-ips', '10.55.0.0/16,10.66.1.1/32');
    expect(device.allowedIPsOf(device.peer(peer.publicKey)!)).toEqual(['10.55.0.0/16', '10.66.1.1/32']);
    const second = keyPair();
    await wg(
      'set',
      IFACE,
      'peer',
      second.base64,
      'allowed-ips',
      '10.77.0.0/24',
      'persistent-keepalive',
      '10',
    );
    expect(device.peer(second.publicKey)!.persistentKeepaliveMs).toBe(10_000);
    await wg('set', IFACE, 'peer', peer.base64, 'remove');
    expect(device.peer(peer.publicKey)).toBeUndefined();
    expect(await wg('show', IFACE, 'peers')).toBe(`${second.base64}\n`);
  });

  it('wg set … private-key FILE changes the device public key', async () => {
    const next = keyPair();
    const file = join(scratch, 'private.key');
    await writeFile(file, `${next.privateBase64}\n`, { mode: 0o600 });
    await wg('set', IFACE, 'private-key', file);
    expect(bytesToBase64(device.publicKey)).toBe(next.base64);
    expect(await wg('show', IFACE, 'public-key')).toBe(`${next.base64}\n`);
  });

  it('wg set … listen-port goes through the hook, and its failure is reported', async () => {
    await wg('set', IFACE, 'listen-port', '4242');
    expect(port).toBe(4242);
    expect(await wgFails('set', IFACE, 'listen-port', '1')).toMatch(/Address already in use/);
    expect(port).toBe(4242);
    // A bad value is reported with its errno ("Invalid argument"), not as a protocol error.
    expect(await wgFails('set', IFACE, 'fwmark', '7')).toMatch(/Operation not supported/);
  });

  it('wg syncconf applies a file with replace semantics', async () => {
    const kept = keyPair();
    const added = keyPair();
    device.setPeer({ publicKey: kept.publicKey, allowedIPs: ['10.88.0.1/32'] }, NOW);
    const privateKey = bytesToBase64(nobleBackend.generateSecretKey());
    const file = join(scratch, 'sync.conf');
    await writeFile(
      file,
      [
        '[Interface]',
        `PrivateKey = ${privateKey}`,
        'ListenPort = 51999',
        '',
        '[Peer]',
        `PublicKey = ${kept.base64}`,
        'AllowedIPs = 10.88.0.2/32',
        '',
        '[Peer]',
        `PublicKey = ${added.base64}`,
        'AllowedIPs = 10.99.0.0/24',
        'Endpoint = 203.0.113.5:51820',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    await wg('syncconf', IFACE, file);
    expect(port).toBe(51999);
    expect(device.peer(peer.publicKey)).toBeUndefined();
    expect(device.allowedIPsOf(device.peer(kept.publicKey)!)).toEqual(['10.88.0.2/32']);
    expect(device.peer(added.publicKey)!.active?.key).toBe('203.0.113.5:51820');
    expect(device.allowedIPsOf(device.peer(added.publicKey)!)).toEqual(['10.99.0.0/24']);
    // A second run with the same file changes nothing.
    const before = await wg('show', IFACE, 'dump');
    await wg('syncconf', IFACE, file);
    expect(await wg('show', IFACE, 'dump')).toBe(before);
  });

  it('refuses a second server on the same interface, and removes the socket on close', async () => {
    await expect(serveUapi({ iface: IFACE, device: newDevice(), now: () => NOW })).rejects.toThrow(
      /interface already in use/,
    );
    expect(await wg('show', IFACE, 'peers')).toBe(`${peer.base64}\n`);
    await server!.close();
    server = undefined;
    expect(existsSync(`/var/run/wireguard/${IFACE}.sock`)).toBe(false);
    expect(await wgFails('show', IFACE)).toMatch(/No such device|Unable to access interface/);
  });
});
