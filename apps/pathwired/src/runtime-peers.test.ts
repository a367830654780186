/**
 * A peer added at run time with `wg set` gets several endpoints and a strategy with
 * `pathwire set`, reaches a stock wireguard-go through the one endpoint that works, and is written
 * back by `pathwire showconf` (every endpoint, host names as written) while `wg showconf` keeps
 * working (one endpoint). In namespaces.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  describeWith,
  namespaceCapability,
  run,
  startWireguardGo,
  Topology,
  waitFor,
  wgKeyPair,
} from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DaemonProcess, PATHWIRE_BIN, startDaemon } from './test-support/daemon-process.js';

const STOCK = '203.0.113.237';
const OURS = '203.0.113.238';

describeWith(namespaceCapability(['wireguard-go', 'wg', 'ping']), 'run-time multi-endpoint peers', () => {
  let topology: Topology;
  let client: string;
  let daemon: DaemonProcess;
  let good = '';
  let server = '';
  let stockIface = '';
  const ours = wgKeyPair();
  const theirs = wgKeyPair();
  const pathwire = (args: readonly string[]) =>
    spawnSync(process.execPath, [PATHWIRE_BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

  beforeAll(async () => {
    topology = Topology.create();
    client = topology.namespace('pdrc');
    server = topology.namespace('pdrs');
    const link = topology.link(client, server);
    good = `${link.b.ipv4}:51820`;
    stockIface = (
      await startWireguardGo(topology, server, 'pdrw', {
        privateKey: theirs.privateKey,
        listenPort: 51820,
        addresses: [`${STOCK}/27`],
        peers: [{ publicKey: ours.publicKey, allowedIPs: [`${OURS}/32`] }],
      })
    ).iface;
    daemon = await startDaemon(
      topology,
      client,
      topology.name('pdrp'),
      [
        '[Interface]',
        `PrivateKey = ${ours.privateKey}`,
        'ListenPort = 51822',
        `Address = ${OURS}/27`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await daemon?.stop();
    topology?.destroy();
  });

  it('wg set adds the peer; pathwire set gives it endpoints and a strategy; it pings through the working one', async () => {
    run('wg', ['set', daemon.iface, 'peer', theirs.publicKey, 'allowed-ips', `${STOCK}/32`]);
    // The first endpoint leads nowhere (a documentation address with no route), the second works.
    const set = pathwire([
      'set',
      daemon.iface,
      'peer',
      theirs.publicKey,
      'endpoints',
      '192.0.2.199:51820,',
      `${good},`,
      'localhost:51820',
      'strategy',
      'handshake-race',
      'head-start=20ms',
    ]);
    expect(set.status, set.stderr).toBe(0);
    await waitFor(
      () => {
        try {
          return topology.exec(client, 'ping', ['-c', '1', '-W', '2', STOCK]).includes('1 received');
        } catch {
          return false;
        }
      },
      'a ping through the working endpoint',
      30_000,
    );
    expect(run('wg', ['show', daemon.iface, 'endpoints'])).toContain(good);

    const mine = pathwire(['showconf', daemon.iface]);
    expect(mine.status, mine.stderr).toBe(0);
    expect(mine.stdout).toContain(`PublicKey = ${theirs.publicKey}`);
    expect(mine.stdout).toContain(`Endpoint = 192.0.2.199:51820, ${good}, localhost:51820`);
    expect(mine.stdout).toContain('Strategy = handshake-race head-start=20ms');
    expect(mine.stdout).toContain(`PrivateKey = ${ours.privateKey}`);

    const stock = run('wg', ['showconf', daemon.iface]);
    expect(stock.match(/^Endpoint = .*$/gm)).toEqual([`Endpoint = ${good}`]);
  });

  it('bad input is refused with what was wrong, and changes nothing', () => {
    const before = pathwire(['showconf', daemon.iface]).stdout;
    const badEndpoint = pathwire(['set', daemon.iface, 'peer', theirs.publicKey, 'endpoints', '300.1.1.1:5']);
    expect(badEndpoint.status).not.toBe(0);
    expect(badEndpoint.stderr).toMatch(/endpoints: .*300\.1\.1\.1/);
    const badStrategy = pathwire(['set', daemon.iface, 'peer', theirs.publicKey, 'strategy', 'no-such']);
    expect(badStrategy.status).not.toBe(0);
    expect(badStrategy.stderr).toContain('unknown strategy "no-such"');
    const badKey = pathwire(['set', daemon.iface, 'peer', 'not-a-key', 'endpoints', good]);
    expect(badKey.stderr).toContain('"not-a-key" is not a WireGuard public key');
    expect(pathwire(['showconf', daemon.iface]).stdout).toBe(before);
  });

  it("drops a packet whose inner source is not in the peer's allowed IPs (and counts it)", () => {
    // The stock peer sends from an address pathwire did not allow for it.
    topology.exec(server, 'ip', ['addr', 'add', '203.0.113.239/32', 'dev', stockIface]);
    const before = dropsOf('source-not-allowed');
    let output = '';
    try {
      output = topology.exec(server, 'ping', [
        '-c',
        '3',
        '-i',
        '0.2',
        '-W',
        '1',
        '-I',
        '203.0.113.239',
        OURS,
      ]);
    } catch (error) {
      output = String(error);
    }
    expect(output).not.toContain(' 1 received');
    expect(dropsOf('source-not-allowed')).toBeGreaterThanOrEqual(before + 3);
    // From its allowed address it still goes through.
    expect(topology.exec(server, 'ping', ['-c', '2', '-i', '0.2', '-W', '3', OURS])).toContain('2 received');
  });

  it('takes 100,000 allowed IPs through one wg addconf (a large UAPI transfer) and shows them all', () => {
    const extra = wgKeyPair();
    const prefixes: string[] = [];
    for (let i = 0; i < 100_000; i++) prefixes.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
    const file = join(mkdtempSync(join(tmpdir(), 'pathwire-uapi-')), 'big.conf');
    writeFileSync(file, `[Peer]\nPublicKey = ${extra.publicKey}\nAllowedIPs = ${prefixes.join(', ')}\n`, {
      mode: 0o600,
    });
    try {
      run('wg', ['addconf', daemon.iface, file]);
      const listing = spawnSync('wg', ['show', daemon.iface, 'allowed-ips'], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(listing.status, listing.stderr).toBe(0);
      const shown = listing.stdout.split('\n').find((line) => line.startsWith(extra.publicKey))!;
      expect(shown.split('\t')[1]!.split(' ')).toHaveLength(100_000);
      expect(daemon.child.exitCode).toBeNull();
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  }, 120_000);

  function dropsOf(reason: string): number {
    const status = JSON.parse(run(process.execPath, [PATHWIRE_BIN, 'status', daemon.iface, '--json'])) as {
      drops: Record<string, number>;
    }[];
    return status[0]!.drops[reason] ?? 0;
  }
});
