/**
 * The source address pathwire sends from, seen by a stock wireguard-go peer (in namespaces):
 * after `wg set IFACE listen-port N` the peer sees the new port (roaming), and after the address
 * we were sending from is removed the peer sees the other one ("sticky, but not too sticky", as
 * the kernel's netns.sh and wireguard-go's markEndpointSrcForClearing have it).
 */
import {
  describeWith,
  type Link,
  namespaceCapability,
  run,
  startWireguardGo,
  Topology,
  waitFor,
  wgKeyPair,
} from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DaemonProcess, startDaemon } from './test-support/daemon-process.js';

const STOCK = '203.0.113.233';
const OURS = '203.0.113.234';

describeWith(
  namespaceCapability(['wireguard-go', 'wg', 'ping']),
  'sticky source address against wireguard-go',
  () => {
    let topology: Topology;
    let client: string;
    let server: string;
    let daemon: DaemonProcess;
    let stockEndpoint: () => string;
    let link: Link;
    let second = '';
    let first = '';
    const ours = wgKeyPair();
    const theirs = wgKeyPair();

    beforeAll(async () => {
      topology = Topology.create();
      client = topology.namespace('pdsc');
      server = topology.namespace('pdss');
      link = topology.link(client, server);
      first = link.a.ipv4;
      // A second address on our side of the link, in the same /30's neighbour range.
      second = '198.51.100.253';
      topology.exec(client, 'ip', ['addr', 'add', `${second}/32`, 'dev', link.a.ifname]);
      topology.exec(server, 'ip', ['route', 'add', `${second}/32`, 'dev', link.b.ifname]);
      const stock = await startWireguardGo(topology, server, 'pdsw', {
        privateKey: theirs.privateKey,
        listenPort: 51820,
        addresses: [`${STOCK}/27`],
        peers: [{ publicKey: ours.publicKey, allowedIPs: [`${OURS}/32`] }],
      });
      stockEndpoint = () =>
        topology.exec(server, 'wg', ['show', stock.iface, 'endpoints']).trim().split('\t')[1] ?? '';
      daemon = await startDaemon(
        topology,
        client,
        topology.name('pdsp'),
        [
          '[Interface]',
          `PrivateKey = ${ours.privateKey}`,
          'ListenPort = 51821',
          `Address = ${OURS}/27`,
          '',
          '[Peer]',
          `PublicKey = ${theirs.publicKey}`,
          `AllowedIPs = ${STOCK}/32`,
          `Endpoint = ${link.b.ipv4}:51820`,
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => {
      await daemon?.stop();
      topology?.destroy();
    });

    const ping = () => topology.exec(client, 'ping', ['-c', '2', '-i', '0.2', '-W', '3', STOCK]);

    it('after wg set listen-port, the peer sees the new port', async () => {
      expect(ping()).toContain('2 received');
      expect(stockEndpoint()).toBe(`${first}:51821`);
      run('wg', ['set', daemon.iface, 'listen-port', '51831']);
      await waitFor(
        () => ping().includes('2 received') && stockEndpoint() === `${first}:51831`,
        'roaming to the new port',
        20_000,
      );
      expect(stockEndpoint()).toBe(`${first}:51831`);
    });

    it('after the address we send from is removed, the peer sees the other one', async () => {
      expect(stockEndpoint().startsWith(`${first}:`)).toBe(true);
      topology.exec(client, 'ip', ['addr', 'del', `${first}/30`, 'dev', link.a.ifname]);
      // The server stays reachable, now from our other address only.
      topology.exec(client, 'ip', ['route', 'add', `${link.b.ipv4}/32`, 'dev', link.a.ifname, 'src', second]);
      await waitFor(
        () => {
          try {
            ping();
          } catch {}
          return stockEndpoint() === `${second}:51831`;
        },
        'the peer to see our other address',
        20_000,
      );
      expect(daemon.child.exitCode).toBeNull();
      expect(ping()).toContain('2 received');
    });
  },
);
