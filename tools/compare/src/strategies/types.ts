/**
 * What a strategy of the comparison is: the client's `StrategyV1` for one run, plus how the world
 * around it behaves (does it re-resolve hostnames, copy data onto every path, run an oracle
 * process beside the device). Entries live in `registry.ts`; one line there adds a strategy.
 */
import type { StrategyV1 } from '@pathwire/strategy';
import type { TruthSegment } from '../scenario/ground-truth.js';
import type { ScenarioDefinition } from '../scenario/types.js';

/** What a strategy may know about the run it is built for (only the oracle reads the truth). */
export interface RunContext {
  readonly scenario: ScenarioDefinition;
  readonly truth: readonly TruthSegment[];
  /** Endpoint key (`ip:port`) of each path's server address, by path name. */
  readonly endpointOfPath: ReadonlyMap<string, string>;
  /** The run's seed (strategies get their randomness from the engine; oracles may use this). */
  readonly seed: number;
}

/** What an oracle process sees of the device, as `wg show` / `wg set` (or the oracle socket) show it. */
export interface OracleView {
  readonly now: number;
  /** When the last handshake completed, ms on the run's clock (`wg show latest-handshakes`). */
  lastHandshakeAt(): number | undefined;
  /** The endpoints the peer was configured with, as the name resolves now (DNS). */
  configuredEndpoints(): readonly string[];
  /** The endpoint the peer uses now. */
  activeEndpoint(): string | undefined;
  /** `wg set … peer … endpoint E`. */
  setEndpoint(endpoint: string): void;
}

/** A userspace process that wakes periodically and may re-point the peer (e.g. reresolve-dns.sh from a timer). */
export interface OracleProcess {
  /** Period of its timer, ms. */
  readonly periodMs: number;
  poll(view: OracleView): void;
}

export interface StrategyEntry {
  /** Name on the command line and in results.json. */
  readonly name: string;
  readonly title: string;
  /** What it does, for the report. */
  readonly description: string;
  /** The client's strategy for one run (a fresh instance per peer). */
  client(context: RunContext): StrategyV1;
  /** Re-reads a hostname's records when their TTL runs out (pathwire's resolver); stock WireGuard does not. */
  readonly resolves: boolean;
  /** Both peers copy every data message onto every other path. */
  readonly duplicate?: boolean;
  /** A process beside the device (one per client). */
  oracle?(context: RunContext): OracleProcess;
}
