/**
 * The README's main job: a small namespace topology (a client, a server reachable over two
 * links, "ISP A" and "ISP B"), a stock wireguard-go on the server, the real `pathwire` daemon on
 * the client with both server addresses as endpoints and the handshake-race strategy, a ping
 * through the tunnel every 100 ms, then a silent blackhole of the active link: the tunnel fails
 * over to the other link by itself. Everything is explained as it happens and removed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { namespaceCapability, run, startWireguardGo, Topology, wgKeyPair } from '@pathwire/testkit';

const require = createRequire(import.meta.url);
const PATHWIRE = join(dirname(require.resolve('@pathwire/pathwired/package.json')), 'bin', 'pathwire.js');
const STRATEGY = process.env.PATHWIRE_DEMO_STRATEGY ?? 'handshake-race';
const say = (text: string) => console.log(text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  const capability = namespaceCapability(['wireguard-go', 'wg', 'ping', 'iptables']);
  if (!capability.ok) {
    say(`pathwire demo: cannot build the network here: ${capability.reason}.`);
    say('It needs root (network namespaces, TUN devices, iptables) and the Debian packages wireguard-go,');
    say('wireguard-tools, iproute2, iputils-ping and iptables: run `sudo bash scripts/demo.sh`.');
    say('What runs without root: `pnpm test` (the namespace tests skip) and `pnpm bench`.');
    return 1;
  }
  const topology = Topology.create();
  const dir = mkdtempSync(join(tmpdir(), 'pathwire-demo-'));
  try {
    const client = topology.namespace('cli');
    const server = topology.namespace('srv');
    const ispA = topology.link(client, server);
    const ispB = topology.link(client, server);
    say('pathwire demo: a client and a server in their own network namespaces, joined by two links:');
    say(`  ISP A: client ${ispA.a.ipv4} <-> server ${ispA.b.ipv4}`);
    say(`  ISP B: client ${ispB.a.ipv4} <-> server ${ispB.b.ipv4}`);
    const stockKeys = wgKeyPair();
    const ourKeys = wgKeyPair();
    const stock = await startWireguardGo(topology, server, 'wg', {
      privateKey: stockKeys.privateKey,
      listenPort: 51820,
      addresses: ['10.77.0.1/24'],
      peers: [{ publicKey: ourKeys.publicKey, allowedIPs: ['10.77.0.2/32'] }],
    });
    say(
      `\nserver: stock wireguard-go (Debian package) on ${stock.iface}, tunnel address 10.77.0.1, port 51820.`,
    );
    const iface = topology.name('pw');
    const configPath = join(dir, `${iface}.conf`);
    const config = [
      '[Interface]',
      `PrivateKey = ${ourKeys.privateKey}`,
      'ListenPort = 51820',
      'Address = 10.77.0.2/24',
      '',
      '[Peer]',
      `PublicKey = ${stockKeys.publicKey}`,
      'AllowedIPs = 10.77.0.1/32',
      `Endpoint = ${ispA.b.ipv4}:51820, ${ispB.b.ipv4}:51820`,
      `Strategy = ${STRATEGY}`,
      'PersistentKeepalive = 25',
      '',
    ].join('\n');
    writeFileSync(configPath, config, { mode: 0o600 });
    say(`client: pathwire up ${iface}.conf with one peer and two endpoints:`);
    say(`  Endpoint = ${ispA.b.ipv4}:51820, ${ispB.b.ipv4}:51820`);
    say(`  Strategy = ${STRATEGY}`);
    const daemon = topology.spawn(client, process.execPath, [
      PATHWIRE,
      'up',
      configPath,
      '--log-level',
      'warn',
    ]);
    const socket = `/var/run/wireguard/${iface}.sock`;
    for (let i = 0; i < 200 && !existsSync(socket) && daemon.exitCode === null; i++) await sleep(25);
    if (!existsSync(socket)) throw new Error(`pathwire did not start:\n${daemon.log()}`);

    await sleep(500);
    say('\nping through the tunnel every 100 ms (10.77.0.2 -> 10.77.0.1) ...');
    const ping = spawn('ip', ['netns', 'exec', client, 'ping', '-i', '0.1', '-W', '1', '-O', '10.77.0.1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const replies: number[] = [];
    let buffered = '';
    ping.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.includes('bytes from')) replies.push(Date.now());
    });
    await sleep(3000);
    say(`  ${replies.length} replies in 3 s.`);
    say(`\n$ wg show ${iface}`);
    say(run('wg', ['show', iface]).trimEnd().replace(/^/gm, '  '));
    const active = run('wg', ['show', iface, 'endpoints']).trim().split('\t')[1] ?? '';
    const [deadLink, otherLink] = active.startsWith(ispA.b.ipv4) ? [ispA, ispB] : [ispB, ispA];
    const deadName = deadLink === ispA ? 'ISP A' : 'ISP B';
    say(
      `\nthe tunnel runs over ${deadName} (${active}). Now ${deadName} silently drops everything (iptables DROP on the server side, both directions):`,
    );
    const cut = Date.now();
    topology.exec(server, 'iptables', ['-A', 'INPUT', '-i', deadLink.b.ifname, '-j', 'DROP']);
    topology.exec(server, 'iptables', ['-A', 'OUTPUT', '-o', deadLink.b.ifname, '-j', 'DROP']);
    const before = replies.filter((t) => t <= cut).at(-1) ?? cut;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !replies.some((t) => t > cut + 50)) await sleep(50);
    const after = replies.find((t) => t > cut + 50);
    await sleep(2000);
    ping.kill();
    if (after === undefined) {
      say(`  no reply for 20 s: the tunnel did not fail over (strategy ${STRATEGY}).`);
      if (process.env.PATHWIRE_DEMO_LOG) say(daemon.log());
      say(stock.show());
      return 1;
    }
    const now = run('wg', ['show', iface, 'endpoints']).trim().split('\t')[1];
    say(
      `  replies stopped, and came back after ${after - before} ms: pathwire now uses ${now} (${otherLink === ispA ? 'ISP A' : 'ISP B'}).`,
    );
    say(`\n$ pathwire status ${iface}`);
    say(run(process.execPath, [PATHWIRE, 'status', iface]).trimEnd().replace(/^/gm, '  '));
    say('\nstock wireguard-go followed us by itself (its view of our endpoint):');
    say(
      `  ${
        stock
          .show()
          .split('\n')
          .find((line) => line.startsWith(ourKeys.publicKey))
          ?.split('\t')[2]
      }`,
    );
    daemon.kill('SIGTERM');
    for (let i = 0; i < 100 && daemon.exitCode === null; i++) await sleep(50);
    say(
      `\npathwire down: exit ${daemon.exitCode}; socket removed: ${!existsSync(socket)}. Namespaces removed.`,
    );
    return 0;
  } finally {
    topology.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
