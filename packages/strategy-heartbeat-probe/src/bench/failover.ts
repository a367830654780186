/**
 * Fail-over benchmark against a STOCK wireguard-go on real networks (DESIGN.md, "Testing layers"
 * 5: figures, never pass/fail): wireguard-go in a namespace behind two veth links, our engine
 * pinging through the tunnel every 100 ms; the active link is blackholed with iptables (silent
 * DROP both ways) and the outage (last reply before → first reply after) measured. Each run
 * measures heartbeat-probe and, as the reference in the same run, handshake-race; prints every
 * run, min/median/max and the ratio of the medians. Also the probe bytes heartbeat-probe sent
 * to the stock peer (HELLOs only).
 *
 *   sudo node packages/strategy-heartbeat-probe/dist/bench/failover.js [--runs 5]
 *
 * Needs root, ip, iptables, ip6tables, wireguard-go and wg.
 */
import { createFailoverWorld, measureFailover } from '@pathwire/interop';
import { createHandshakeRace } from '@pathwire/strategy-handshake-race';
import { hasCommand } from '@pathwire/testkit';
import { createHeartbeatProbe } from '../index.js';

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return `min ${sorted[0]} ms, median ${median} ms, max ${sorted.at(-1)} ms`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: network namespaces and iptables');
  for (const command of ['ip', 'iptables', 'ip6tables', 'wireguard-go', 'wg'])
    if (!hasCommand(command)) throw new Error(`missing command: ${command}`);
  const index = process.argv.indexOf('--runs');
  const runs = index >= 0 ? Number(process.argv[index + 1]) : 5;
  const world = await createFailoverWorld();
  const probe: number[] = [];
  const race: number[] = [];
  try {
    console.log('fail-over against stock wireguard-go, 2 links, ping every 100 ms, silent blackhole');
    for (let run = 1; run <= runs; run++) {
      const a = await measureFailover(world, createHeartbeatProbe({}));
      const b = await measureFailover(world, createHandshakeRace({}));
      probe.push(a.outageMs);
      race.push(b.outageMs);
      console.log(`run ${run}: heartbeat-probe ${a.outageMs} ms, handshake-race ${b.outageMs} ms`);
    }
  } finally {
    world.topology.destroy();
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  console.log(`heartbeat-probe: ${summary(probe)}`);
  console.log(`handshake-race:  ${summary(race)}`);
  console.log(`ratio of medians (probe / race): ${(median(probe) / median(race)).toFixed(2)}`);
  console.log(`command: node ${process.argv.slice(1).join(' ')}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
