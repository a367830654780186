/**
 * End to end, in network namespaces: the real `pathwire` CLI against a stock wireguard-go and
 * against itself, driven and inspected with the stock `wg` tool.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  describeWith,
  type Link,
  namespaceCapability,
  run,
  type StockDevice,
  startWireguardGo,
  Topology,
  tryRun,
  udpCounters,
  waitFor,
  wgKeyPair,
} from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DaemonProcess, PATHWIRE_BIN, startDaemon } from './test-support/daemon-process.js';

const STOCK = { v4: '203.0.113.225', v6: 'fd00:7077:ffff::1' };
const OURS = { v4: '203.0.113.226', v6: 'fd00:7077:ffff::2' };

function pathwireConfig(options: {
  privateKey: string;
  listenPort: number;
  addresses: string[];
  peer: { publicKey: string; endpoints: string[]; allowedIPs: string[]; strategy?: string };
}): string {
  return [
    '[Interface]',
    `PrivateKey = ${options.privateKey}`,
    `ListenPort = ${options.listenPort}`,
    `Address = ${options.addresses.join(', ')}`,
    '',
    '[Peer]',
    `PublicKey = ${options.peer.publicKey}`,
    `AllowedIPs = ${options.peer.allowedIPs.join(', ')}`,
    ...(options.peer.endpoints.length ? [`Endpoint = ${options.peer.endpoints.join(', ')}`] : []),
    ...(options.peer.strategy ? [`Strategy = ${options.peer.strategy}`] : []),
    '',
  ].join('\n');
}

describeWith(
  namespaceCapability(['wireguard-go', 'wg', 'ping']),
  'pathwire against stock wireguard-go',
  () => {
    let topology: Topology;
    let client: string;
    let server: string;
    let links: Link[];
    let stock: StockDevice;
    let daemon: DaemonProcess;
    const ours = wgKeyPair();
    const theirs = wgKeyPair();
    let startedAt = 0; // seconds since the epoch, before any handshake

    beforeAll(async () => {
      startedAt = Math.floor(Date.now() / 1000);
      topology = Topology.create();
      client = topology.namespace('c');
      server = topology.namespace('s');
      links = [topology.link(client, server), topology.link(client, server)];
      stock = await startWireguardGo(topology, server, 'wg', {
        privateKey: theirs.privateKey,
        listenPort: 51820,
        addresses: [`${STOCK.v4}/27`, `${STOCK.v6}/64`],
        peers: [{ publicKey: ours.publicKey, allowedIPs: [`${OURS.v4}/32`, `${OURS.v6}/128`] }],
      });
      daemon = await startDaemon(
        topology,
        client,
        topology.name('pw'),
        pathwireConfig({
          privateKey: ours.privateKey,
          listenPort: 51821,
          addresses: [`${OURS.v4}/27`, `${OURS.v6}/64`],
          peer: {
            publicKey: theirs.publicKey,
            endpoints: [`${links[0]!.b.ipv4}:51820`],
            allowedIPs: [`${STOCK.v4}/32`, `${STOCK.v6}/128`],
          },
        }),
      );
    });
    afterAll(async () => {
      await daemon?.stop();
      topology?.destroy();
    });

    it('pings wireguard-go through the tunnel, IPv4 and IPv6 inside', () => {
      expect(topology.exec(client, 'ping', ['-c', '3', '-i', '0.2', '-W', '10', STOCK.v4])).toContain(
        '3 received',
      );
      expect(topology.exec(client, 'ping', ['-6', '-c', '3', '-i', '0.2', '-W', '10', STOCK.v6])).toContain(
        '3 received',
      );
    });

    it('is pinged by wireguard-go through the tunnel', () => {
      expect(topology.exec(server, 'ping', ['-c', '3', '-i', '0.2', '-W', '10', OURS.v4])).toContain(
        '3 received',
      );
    });

    it('wg show lists the peer with a recent handshake and non-zero transfer', () => {
      const dump = run('wg', ['show', daemon.iface, 'dump']).trim().split('\n');
      const peer = dump.find((line) => line.startsWith(theirs.publicKey))!.split('\t');
      const [, , endpoint, allowedIPs, latestHandshake, rx, tx] = peer;
      expect(endpoint).toBe(`${links[0]!.b.ipv4}:51820`);
      expect(allowedIPs).toContain(`${STOCK.v4}/32`);
      // A handshake of this run: not before it started, not in the future.
      expect(Number(latestHandshake)).toBeGreaterThanOrEqual(startedAt);
      expect(Number(latestHandshake)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      expect(Number(rx)).toBeGreaterThan(0);
      expect(Number(tx)).toBeGreaterThan(0);
      expect(run('wg', ['show', daemon.iface])).toContain(`peer: ${theirs.publicKey}`);
    });

    it('carries a 16 MiB TCP transfer through the tunnel, every byte intact', async () => {
      // A fixed amount checked byte for byte, not a rate: throughput is the benchmark's
      // (tools/bench throughput-bench, iperf3 against wireguard-go).
      const pattern =
        'const data=Buffer.alloc(16*2**20);for(let i=0;i<data.length;i++)data[i]=Math.imul(i,0x9e3779b1)>>>24;';
      const receiver = topology.spawn(server, process.execPath, [
        '-e',
        "const net=require('net'),crypto=require('crypto');const h=crypto.createHash('sha256');let n=0;" +
          "const srv=net.createServer((c)=>{c.on('data',(d)=>{n+=d.length;h.update(d)});" +
          "c.on('end',()=>{c.end(JSON.stringify({bytes:n,sha256:h.digest('hex')}));srv.close()})});" +
          `srv.listen(5201,'${STOCK.v4}',()=>console.log('listening'));`,
      ]);
      try {
        await waitFor(() => receiver.log().includes('listening'), 'the TCP receiver', 30_000);
        const sent = topology.exec(client, process.execPath, [
          '-e',
          `${pattern}const c=require('net').connect(5201,'${STOCK.v4}',()=>c.end(data));` +
            "let r='';c.on('data',(d)=>{r+=d});c.on('end',()=>console.log(r));",
        ]);
        const expected = new Function(`${pattern}return data;`)() as Buffer;
        expect(JSON.parse(sent)).toEqual({
          bytes: 16 * 2 ** 20,
          sha256: createHash('sha256').update(expected).digest('hex'),
        });
      } finally {
        receiver.kill();
      }
    });

    it('wg set … endpoint switches the peer to the other link', () => {
      run('wg', ['set', daemon.iface, 'peer', theirs.publicKey, 'endpoint', `${links[1]!.b.ipv4}:51820`]);
      expect(topology.exec(client, 'ping', ['-c', '2', '-i', '0.2', '-W', '10', STOCK.v4])).toContain(
        '2 received',
      );
      const endpoint = run('wg', ['show', daemon.iface, 'endpoints']).trim().split('\t')[1];
      expect(endpoint).toBe(`${links[1]!.b.ipv4}:51820`);
      // wireguard-go roamed to us on the new link: its view of our endpoint is on link 1.
      const stockView = stock
        .show()
        .split('\n')
        .find((line) => line.startsWith(ours.publicKey))!
        .split('\t')[2];
      expect(stockView?.startsWith(links[1]!.a.ipv4)).toBe(true);
    });

    it('a burst of 2,000 random datagrams at the listen port: each one dropped and counted; the tunnel keeps working', async () => {
      const dropsByReason = () =>
        (
          JSON.parse(run(process.execPath, [PATHWIRE_BIN, 'status', daemon.iface, '--json'])) as {
            drops: Record<string, number>;
          }[]
        )[0]!.drops;
      // Drops of received datagrams (not of outgoing packets: the TUN's own IPv6 chatter has no route).
      const outgoing = new Set([
        'no-route',
        'no-endpoint',
        'no-session',
        'staged-overflow',
        'handshake-gave-up',
        'not-ip',
      ]);
      const totalDrops = () =>
        Object.entries(dropsByReason())
          .filter(([reason]) => !outgoing.has(reason))
          .reduce((sum, [, count]) => sum + count, 0);
      const dropsBefore = totalDrops();
      const kernelBefore = udpCounters(topology, client, 4);
      // Seeded (mulberry32), so every run sends the same 2,000 datagrams: 0..199 random bytes,
      // every other one starting with a message type 1..4.
      const burst = [
        "const s=require('dgram').createSocket('udp4');",
        'let seed=0x7077;const random=()=>{seed=(seed+0x6d2b79f5)|0;let t=Math.imul(seed^(seed>>>15),1|seed);',
        't=(t+Math.imul(t^(t>>>7),61|t))^t;return((t^(t>>>14))>>>0)/4294967296};',
        'let n=0;const go=()=>{if(n>=2000){s.close();return}',
        'const len=Math.floor(random()*200);const b=Buffer.alloc(len);',
        'for(let i=0;i<len;i++)b[i]=random()*256;if(len>0&&n%2)b[0]=1+(n%4);',
        `s.send(b,51821,'${links[0]!.a.ipv4}',()=>{n++;go()})};go();`,
      ].join('');
      topology.exec(server, process.execPath, ['-e', burst]);
      // Each datagram is dropped and counted once by the daemon, or (a full socket buffer on a
      // busy machine) counted by the kernel as a receive-buffer overflow: nothing else.
      const accounted = () => {
        const kernel = udpCounters(topology, client, 4);
        return {
          drops: totalDrops() - dropsBefore,
          overflowed: kernel.rcvbufErrors - kernelBefore.rcvbufErrors,
        };
      };
      await waitFor(
        () => accounted().drops + accounted().overflowed >= 2000,
        'all 2,000 datagrams counted',
        60_000,
      );
      expect(topology.exec(client, 'ping', ['-c', '2', '-i', '0.2', '-W', '10', STOCK.v4])).toContain(
        '2 received',
      );
      const { drops, overflowed } = accounted();
      expect(drops + overflowed).toBe(2000);
    });
  },
);

describeWith(namespaceCapability(['ping']), 'pathwire against pathwire', () => {
  let topology: Topology;
  const daemons: DaemonProcess[] = [];
  beforeAll(() => {
    topology = Topology.create();
  });
  afterAll(async () => {
    for (const daemon of daemons) await daemon.stop();
    topology?.destroy();
  });

  it('two pathwire daemons ping each other over a multi-endpoint peer (IPv6 listed first)', async () => {
    const a = topology.namespace('a');
    const b = topology.namespace('b');
    const link = topology.link(a, b);
    const ka = wgKeyPair();
    const kb = wgKeyPair();
    daemons.push(
      await startDaemon(
        topology,
        b,
        topology.name('pwb'),
        pathwireConfig({
          privateKey: kb.privateKey,
          listenPort: 51820,
          addresses: [`${STOCK.v4}/27`],
          peer: { publicKey: ka.publicKey, endpoints: [], allowedIPs: [`${OURS.v4}/32`] },
        }),
      ),
    );
    daemons.push(
      await startDaemon(
        topology,
        a,
        topology.name('pwa'),
        pathwireConfig({
          privateKey: ka.privateKey,
          listenPort: 51820,
          addresses: [`${OURS.v4}/27`],
          peer: {
            publicKey: kb.publicKey,
            endpoints: [`[${link.b.ipv6}]:51820`, `${link.b.ipv4}:51820`],
            allowedIPs: [`${STOCK.v4}/32`],
          },
        }),
      ),
    );
    expect(topology.exec(a, 'ping', ['-c', '3', '-i', '0.2', '-W', '10', STOCK.v4])).toContain('3 received');
    expect(topology.exec(b, 'ping', ['-c', '3', '-i', '0.2', '-W', '10', OURS.v4])).toContain('3 received');
  });

  it('refuses a second up of a running interface, and pathwire down removes everything', async () => {
    const running = daemons[1]!;
    const ns = topology.name('a');
    let refusal = '';
    try {
      topology.exec(ns, process.execPath, [PATHWIRE_BIN, 'up', running.configPath]);
    } catch (error) {
      refusal = (error as Error).message;
    }
    expect(refusal).toContain(`interface ${running.iface} is already up`);
    // The refused second start must not have disturbed the first.
    expect(run('wg', ['show', running.iface])).toContain('peer:');
    run(process.execPath, [PATHWIRE_BIN, 'down', running.iface]);
    // `down` returned: the daemon has exited (with 0) and cleaned up after itself.
    expect(await running.stop()).toBe(0);
    expect(existsSync(`/var/run/wireguard/${running.iface}.sock`)).toBe(false);
    expect(existsSync(`/var/run/pathwire/${running.iface}.pid`)).toBe(false);
    expect(tryRun('ip', ['netns', 'exec', ns, 'ip', 'link', 'show', running.iface])).toBe(false);
  });
});

describeWith(namespaceCapability([]), 'pathwire up with a malformed config', () => {
  it('exits non-zero with file:line and leaves no interface behind', () => {
    const topology = Topology.create();
    try {
      const ns = topology.namespace('m');
      const iface = topology.name('bad');
      const config = `[Interface]\nPrivateKey = ${wgKeyPair().privateKey}\nListenPort = 51820\nAddress = 10.1.2.3/24\n\n[Peer]\nPublicKey = not-a-key\nAllowedIPs = 10.1.2.4/32\n`;
      const path = `/tmp/${iface}.conf`;
      run('sh', ['-c', `cat > ${path} <<'EOF'\n${config}EOF`]);
      let failure = '';
      try {
        topology.exec(ns, process.execPath, [PATHWIRE_BIN, 'up', path]);
      } catch (error) {
        failure = (error as Error).message;
      }
      run('rm', ['-f', path]);
      expect(failure).toMatch(new RegExp(`${iface}\\.conf:7: PublicKey`));
      expect(tryRun('ip', ['netns', 'exec', ns, 'ip', 'link', 'show', iface])).toBe(false);
    } finally {
      topology.destroy();
    }
  });
});

describeWith(namespaceCapability(['wg', 'ping']), 'pathwire under hostile or clumsy input', () => {
  let topology: Topology;
  const daemons: DaemonProcess[] = [];
  beforeAll(() => {
    topology = Topology.create();
  });
  afterAll(async () => {
    for (const daemon of daemons) await daemon.stop();
    topology?.destroy();
  });

  it('survives a peer sending packets larger than its TUN MTU, and a refused listen-port change', async () => {
    const a = topology.namespace('ha');
    const b = topology.namespace('hb');
    const link = topology.link(a, b);
    const ka = wgKeyPair();
    const kb = wgKeyPair();
    // B's tunnel MTU is 1420 by default; A's is 1500 (a common mismatch), so A sends B packets B's TUN refuses.
    const configA = pathwireConfig({
      privateKey: ka.privateKey,
      listenPort: 51820,
      addresses: [`${OURS.v4}/27`],
      peer: { publicKey: kb.publicKey, endpoints: [`${link.b.ipv4}:51820`], allowedIPs: [`${STOCK.v4}/32`] },
    }).replace('[Interface]\n', '[Interface]\nMTU = 1500\n');
    const daemonB = await startDaemon(
      topology,
      b,
      topology.name('hpb'),
      pathwireConfig({
        privateKey: kb.privateKey,
        listenPort: 51820,
        addresses: [`${STOCK.v4}/27`],
        peer: { publicKey: ka.publicKey, endpoints: [], allowedIPs: [`${OURS.v4}/32`] },
      }),
    );
    daemons.push(daemonB);
    daemons.push(await startDaemon(topology, a, topology.name('hpa'), configA));
    expect(topology.exec(a, 'ping', ['-c', '2', '-i', '0.2', '-W', '10', STOCK.v4])).toContain('2 received');
    // 1450-byte pings: 1478-byte echo requests, more than B's TUN MTU. B must stay up; its TUN
    // takes packets of any size (so B follows `ip link set mtu` at run time), and the kernel
    // fragments B's large replies, as with wireguard-go.
    const big = topology.exec(a, 'ping', [
      '-c',
      '3',
      '-i',
      '0.2',
      '-W',
      '10',
      '-s',
      '1450',
      '-M',
      'do',
      STOCK.v4,
    ]);
    expect(big).toContain('3 received');
    expect(daemonB.child.exitCode).toBeNull();
    expect(topology.exec(a, 'ping', ['-c', '2', '-i', '0.2', '-W', '10', STOCK.v4])).toContain('2 received');
    // A listen-port change to a port already taken is refused, and the old port keeps working.
    const squatter = topology.spawn(b, process.execPath, [
      '-e',
      "require('dgram').createSocket('udp4').bind(51999, () => console.log('bound')); setInterval(() => {}, 1e6)",
    ]);
    // On a busy machine node takes a while to start: wait until the port is really taken.
    await waitFor(() => squatter.log().includes('bound'), 'the squatter to bind port 51999', 30_000);
    let refusal = '';
    try {
      run('wg', ['set', daemonB.iface, 'listen-port', '51999']);
    } catch (error) {
      refusal = (error as Error).message;
    }
    squatter.kill();
    expect(refusal).toMatch(/Address already in use/);
    expect(run('wg', ['show', daemonB.iface, 'listen-port']).trim()).toBe('51820');
    expect(topology.exec(a, 'ping', ['-c', '2', '-i', '0.2', '-W', '10', STOCK.v4])).toContain('2 received');
  });
});
