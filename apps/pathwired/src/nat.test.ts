/**
 * Behind a NAT whose UDP mappings expire after 5 s (a router namespace with MASQUERADE and
 * `nf_conntrack_udp_timeout=5`), pathwire's persistent keepalive (1 s) keeps the mapping open,
 * so the stock wireguard-go on the far side can still reach us after a long silence, as the
 * kernel's netns.sh checks for any WireGuard.
 */
import { describeWith, namespaceCapability, startWireguardGo, Topology, wgKeyPair } from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DaemonProcess, startDaemon } from './test-support/daemon-process.js';

const STOCK = '203.0.113.229';
const OURS = '203.0.113.230';

describeWith(
  namespaceCapability(['wireguard-go', 'wg', 'ping', 'iptables', 'sysctl']),
  'persistent keepalive through a NAT with a short UDP timeout',
  () => {
    let topology: Topology;
    let client = '';
    let server = '';
    let daemon: DaemonProcess;
    const ours = wgKeyPair();
    const theirs = wgKeyPair();

    beforeAll(async () => {
      topology = Topology.create();
      client = topology.namespace('pdnc');
      const router = topology.namespace('pdnr');
      server = topology.namespace('pdns');
      const inside = topology.link(client, router);
      const outside = topology.link(router, server);
      topology.exec(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      topology.exec(router, 'iptables', [
        '-t',
        'nat',
        '-A',
        'POSTROUTING',
        '-o',
        outside.a.ifname,
        '-j',
        'MASQUERADE',
      ]);
      topology.exec(router, 'sysctl', ['-qw', 'net.netfilter.nf_conntrack_udp_timeout=5']);
      topology.exec(router, 'sysctl', ['-qw', 'net.netfilter.nf_conntrack_udp_timeout_stream=5']);
      topology.exec(client, 'ip', ['route', 'add', 'default', 'via', inside.b.ipv4]);
      await startWireguardGo(topology, server, 'pdnw', {
        privateKey: theirs.privateKey,
        listenPort: 51820,
        addresses: [`${STOCK}/27`],
        peers: [{ publicKey: ours.publicKey, allowedIPs: [`${OURS}/32`] }],
      });
      daemon = await startDaemon(
        topology,
        client,
        topology.name('pdnp'),
        [
          '[Interface]',
          `PrivateKey = ${ours.privateKey}`,
          `Address = ${OURS}/27`,
          '',
          '[Peer]',
          `PublicKey = ${theirs.publicKey}`,
          `AllowedIPs = ${STOCK}/32`,
          `Endpoint = ${outside.b.ipv4}:51820`,
          'PersistentKeepalive = 1',
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => {
      await daemon?.stop();
      topology?.destroy();
    });

    it('the stock peer reaches us through the NAT after a silence longer than the mapping timeout', async () => {
      expect(topology.exec(client, 'ping', ['-c', '1', '-W', '3', STOCK])).toContain('1 received');
      // Silence in the tunnel for 20 s: past the passive keepalive (10 s after the reply, wireguard's
      // KEEPALIVE_TIMEOUT) and then past the 5 s mapping timeout; only persistent keepalives cross.
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      expect(topology.exec(server, 'ping', ['-c', '2', '-i', '0.3', '-W', '3', OURS])).toContain(
        '2 received',
      );
    }, 60_000);
  },
);
