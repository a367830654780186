/**
 * Every strategy the comparison knows, in report order. Adding one is one entry here (see
 * README.md, "Adding a strategy"); the real packages are used, never re-implementations.
 */
import { createRoaming } from '@pathwire/strategy';
import { createHandshakeRace } from '@pathwire/strategy-handshake-race';
import { createHeartbeatProbe } from '@pathwire/strategy-heartbeat-probe';
import { createUserspaceOracle } from '@pathwire/strategy-userspace-oracle';
import { UsageError } from '../errors.js';
import { createProbeOracle } from './probe-oracle.js';
import { createReresolvePoller } from './reresolve-poller.js';
import { createTruthOracle } from './truth-oracle.js';
import type { StrategyEntry } from './types.js';

export const STRATEGIES: readonly StrategyEntry[] = [
  {
    name: 'roaming',
    title: 'stock roaming',
    description:
      'Stock WireGuard: one endpoint (the first configured), follow the source of authenticated packets, ' +
      'resolve names only at start-up.',
    client: () => createRoaming({}),
    resolves: false,
  },
  {
    name: 'handshake-race',
    title: 'handshake race',
    description:
      '@pathwire/strategy-handshake-race with its defaults: identical initiations to every endpoint, the ' +
      'active one first with a 10 ms head start, first response wins; a race after 1.5 s unanswered.',
    client: () => createHandshakeRace({}),
    resolves: true,
  },
  {
    name: 'heartbeat-probe',
    title: 'heartbeat probe',
    description:
      '@pathwire/strategy-heartbeat-probe with its defaults: in-band HELLO/PING/PONG per path, SUSPECT after ' +
      'max(2·SRTT + 4·RTTVAR, 250 ms) of silence, DOWN after 3 misses, standbys probed every 5 s or 25 s.',
    client: () => createHeartbeatProbe({}),
    resolves: true,
  },
  {
    name: 'oracle-reresolve',
    title: 'oracle: reresolve-dns.sh poller',
    description:
      'userspace-oracle (fallback roaming) driven by reresolve-dns.sh from a 30 s timer: when the latest ' +
      'handshake is over 135 s old, set the endpoints again as the name resolves now and select the next one.',
    client: () => createUserspaceOracle({ fallback: 'roaming' }),
    resolves: false,
    oracle: createReresolvePoller,
  },
  {
    name: 'oracle-probe',
    title: 'oracle: probe-driven',
    description:
      'userspace-oracle (fallback handshake-race) driven by the probe-driven example oracle: probes every ' +
      'endpoint each second, selects the lowest RTT + 1000 ms × loss past a 5 ms margin, lease 3 s.',
    client: () => createUserspaceOracle({ fallback: 'handshake-race' }),
    resolves: true,
    oracle: createProbeOracle,
  },
  {
    name: 'send-on-every-path',
    title: 'send on every path',
    description:
      'Both peers copy every data message onto every path between them (the receiver keeps the first copy ' +
      'through its replay window); endpoints follow roaming. Maximum redundancy at maximum cost.',
    client: () => createRoaming({}),
    resolves: true,
    duplicate: true,
  },
  {
    name: 'oracle-truth',
    title: 'all-knowing oracle',
    description:
      "Reads the simulator's ground truth and activates the best path's endpoint the instant it becomes " +
      'best: the lower bound no real strategy can reach.',
    client: createTruthOracle,
    resolves: true,
  },
];

export function strategyByName(name: string): StrategyEntry {
  const found = STRATEGIES.find((s) => s.name === name);
  if (!found) {
    throw new UsageError(`unknown strategy "${name}" (known: ${STRATEGIES.map((s) => s.name).join(', ')})`);
  }
  return found;
}
