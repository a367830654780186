/**
 * pathwire ↔ pathwire fail-over on real networks (figures, never pass/fail): the `pathwire`
 * daemon (heartbeat-probe for its peer) in a namespace behind two veth links, our engine in the
 * root namespace (heartbeat-probe) pinging through the tunnel every 100 ms; the active link is
 * blackholed with iptables (silent DROP both ways, on the server end) and the outage (last reply
 * before → first reply after) measured. Prints every run and min/median/max.
 *
 *   sudo node packages/strategy-heartbeat-probe/dist/bench/pathwire-failover.js [--runs 5] [--option suspect-floor=150ms]
 *
 * Needs root, ip, iptables, ip6tables, and the built daemon (apps/pathwired).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToBase64 } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import {
  activeLink,
  blackholeLink,
  DualStackDriver,
  type FailoverWorld,
  INNER,
  TunnelPinger,
} from '@pathwire/interop';
import { hasCommand, Topology, waitFor } from '@pathwire/testkit';
import { createHeartbeatProbe } from '../index.js';

const PORT = 51820;
/** The daemon's CLI in this repository (the bench is private tooling run from a checkout). */
const PATHWIRE_BIN = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../apps/pathwired/bin/pathwire.js',
);

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `min ${sorted[0]} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: network namespaces and iptables');
  for (const command of ['ip', 'iptables', 'ip6tables'])
    if (!hasCommand(command)) throw new Error(`missing command: ${command}`);
  if (!existsSync(PATHWIRE_BIN)) throw new Error(`missing ${PATHWIRE_BIN}: build apps/pathwired first`);
  const index = process.argv.indexOf('--runs');
  const runs = index >= 0 ? Number(process.argv[index + 1]) : 5;
  // `--option key=value` (repeatable): the client's heartbeat-probe options, e.g. suspect-floor=150ms.
  const options: Record<string, string> = {};
  process.argv.forEach((arg, i) => {
    const value = process.argv[i + 1];
    if (arg === '--option' && value?.includes('='))
      options[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1);
  });
  const topology = Topology.create();
  const outages: number[] = [];
  try {
    const namespace = topology.namespace('pps');
    const links = [topology.link(null, namespace), topology.link(null, namespace)] as const;
    const serverPrivate = nodeBackend.generateSecretKey();
    const serverPublic = nodeBackend.publicKey(serverPrivate);
    // The parts of a FailoverWorld that blackholeLink/activeLink use (the server is no stock device).
    const world = { topology, namespace, links, stockPublicKey: serverPublic } as unknown as FailoverWorld;
    console.log(
      `pathwire ↔ pathwire fail-over (heartbeat-probe both sides), 2 links, ping every 100 ms, client options ${JSON.stringify(options)}`,
    );
    for (let run = 1; run <= runs; run++) {
      const clientPrivate = nodeBackend.generateSecretKey();
      const iface = `pwpb${run}`;
      const config = [
        '[Interface]',
        `PrivateKey = ${bytesToBase64(serverPrivate)}`,
        `ListenPort = ${PORT}`,
        `Address = ${INNER[4].stockCidr}`,
        '',
        '[Peer]',
        `PublicKey = ${bytesToBase64(nodeBackend.publicKey(clientPrivate))}`,
        `AllowedIPs = ${INNER[4].ours}/32`,
        'Strategy = heartbeat-probe',
        '',
      ].join('\n');
      const dir = mkdtempSync(join(tmpdir(), 'pathwire-bench-'));
      const configPath = join(dir, `${iface}.conf`);
      writeFileSync(configPath, config, { mode: 0o600 });
      topology.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
      const child = topology.spawn(namespace, process.execPath, [PATHWIRE_BIN, 'up', configPath]);
      await waitFor(
        () => existsSync(`/var/run/wireguard/${iface}.sock`) || child.exitCode !== null,
        'daemon',
        15_000,
      );
      if (child.exitCode !== null) throw new Error(`pathwire up exited with ${child.exitCode}`);
      const driver = new DualStackDriver(clientPrivate);
      await driver.start();
      driver.run((device, now) =>
        device.setPeer(
          {
            publicKey: serverPublic,
            allowedIPs: [`${INNER[4].stock}/32`],
            endpoints: [links[0].b.ipv4, links[1].b.ipv4].map((address) => ({ address, port: PORT })),
            strategy: createHeartbeatProbe(options),
          },
          now,
        ),
      );
      const pinger = new TunnelPinger(driver, 100);
      pinger.start();
      let blackholed: (typeof links)[number] | undefined;
      try {
        await pinger.replyAfter(0, 30_000);
        await new Promise((resolve) => setTimeout(resolve, 3_000)); // HELLO answered, standbys measured
        const before = activeLink(world, { driver } as never);
        if (!before) throw new Error('no active endpoint');
        blackholed = before.link;
        const at = Date.now();
        blackholeLink(world, blackholed, true);
        await pinger.replyAfter(at, 20_000);
        const outage = pinger.outageAround(at)!;
        outages.push(outage.ms);
        const support = driver.device.peer(serverPublic)?.probeSupport;
        console.log(
          `run ${run}: ${outage.ms} ms (probe support ${support}; ${JSON.stringify(driver.device.counters.probes)})`,
        );
      } finally {
        pinger.stop();
        driver.close();
        if (blackholed) blackholeLink(world, blackholed, false);
        child.kill('SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    topology.destroy();
  }
  console.log(`heartbeat-probe ↔ heartbeat-probe: ${summary(outages)} over ${outages.length} runs`);
  console.log(`command: node ${process.argv.slice(1).join(' ')}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
