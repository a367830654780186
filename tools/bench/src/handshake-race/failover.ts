/**
 * Fail-over benchmark on real networks (DESIGN.md, "Testing layers" 5: figures, never pass/fail):
 * a stock wireguard-go server in a namespace behind two veth links, our engine with handshake-race
 * pinging through the tunnel every 100 ms; the active link is blackholed with iptables (silent
 * DROP both ways) and the outage (last reply before → first reply after) is measured. Repeated
 * `--runs` times (default 7); prints every run, the median and the worst.
 *
 *   sudo node tools/bench/dist/handshake-race/failover.js [--runs 7] [--suspicion 1500ms]
 *
 * Needs root, ip, iptables, ip6tables, wireguard-go and wg.
 */

import { createFailoverWorld, measureFailover } from '@pathwire/interop';
import { createHandshakeRace } from '@pathwire/strategy-handshake-race';
import { hasCommand } from '@pathwire/testkit';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: network namespaces and iptables');
  for (const command of ['ip', 'iptables', 'ip6tables', 'wireguard-go', 'wg'])
    if (!hasCommand(command)) throw new Error(`missing command: ${command}`);
  const runs = Number(argument('runs', '7'));
  const suspicion = argument('suspicion', '1500ms');
  const world = await createFailoverWorld();
  const outages: number[] = [];
  try {
    console.log(
      `handshake-race fail-over, stock wireguard-go server, 2 links, ping every 100 ms, suspicion ${suspicion}`,
    );
    for (let run = 1; run <= runs; run++) {
      const result = await measureFailover(world, createHandshakeRace({ suspicion }));
      outages.push(result.outageMs);
      console.log(`run ${run}: ${result.outageMs} ms (${result.from} -> ${result.to})`);
    }
  } finally {
    world.topology.destroy();
  }
  const sorted = [...outages].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  console.log(`median ${median} ms, worst ${sorted.at(-1)} ms, best ${sorted[0]} ms over ${runs} runs`);
  console.log(`command: ${process.argv.slice(0, 1).concat(process.argv.slice(1)).join(' ')}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
