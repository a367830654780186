/**
 * A peer added at run time with `wg set` gets several endpoints and a strategy with
 * `pathwire set`, reaches a stock wireguard-go through the one endpoint that works, and is written
 * back by `pathwire showconf` (every endpoint, host names as written) while `wg showconf` keeps
 * working (one endpoint). In namespaces.
 */
import { spawnSync } from 'node:child_process';
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
  const ours = wgKeyPair();
  const theirs = wgKeyPair();
  const pathwire = (args: readonly string[]) =>
    spawnSync(process.execPath, [PATHWIRE_BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

  beforeAll(async () => {
    topology = Topology.create();
    client = topology.namespace('pdrc');
    const server = topology.namespace('pdrs');
    const link = topology.link(client, server);
    good = `${link.b.ipv4}:51820`;
    await startWireguardGo(topology, server, 'pdrw', {
      privateKey: theirs.privateKey,
      listenPort: 51820,
      addresses: [`${STOCK}/27`],
      peers: [{ publicKey: ours.publicKey, allowedIPs: [`${OURS}/32`] }],
    });
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
});
