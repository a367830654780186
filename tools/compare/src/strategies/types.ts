/**
 * What a strategy of the comparison is: the client's `StrategyV1` for one run, plus how the world
 * around it behaves (does it re-resolve hostnames, copy data onto every path, run an oracle
 * process beside the device). Entries live in `registry.ts`; one line there adds a strategy.
 */
import type { StrategyV1 } from '@pathwire/strategy';
import type { OracleNotice } from '@pathwire/strategy-userspace-oracle';
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

/**
 * The oracle socket's in-process equivalent (apps/pathwired/ORACLE.md): what an oracle process
 * sees of one peer and the orders it can give, applied as the daemon's server applies them
 * (`command` events to the peer's userspace-oracle strategy, `set-endpoints` to the device).
 */
export interface OracleView {
  readonly now: number;
  /** When the last handshake completed, ms on the run's clock (`lastHandshakeMs` in a snapshot). */
  lastHandshakeAt(): number | undefined;
  /** The peer's endpoints as the daemon has them now (keys `ip:port`). */
  endpoints(): readonly string[];
  /** The peer's configured endpoints as its hostname resolves now (what a fresh lookup returns). */
  resolve(): readonly string[];
  activeEndpoint(): string | undefined;
  /** `select {endpoint, leaseMs, mode}`. */
  select(endpoint: string, leaseMs: number, mode: 'prefer' | 'pin'): void;
  /** `probe {endpoint}`: the result comes back as a `probe-result` notice. */
  probe(endpoint: string): void;
  /** `set-endpoints {endpoints}`. */
  setEndpoints(endpoints: readonly string[]): void;
  /** Run `fn` in `ms` (the process's own timers). */
  after(ms: number, fn: () => void): void;
}

/** A userspace process beside the device that wakes periodically and gives orders. */
export interface OracleProcess {
  /** Period of its timer, ms. */
  readonly periodMs: number;
  poll(view: OracleView): void;
  /** Events from the peer's strategy (probe results, activations, lapsed leases). */
  onNotice?(notice: OracleNotice): void;
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
  /** An oracle process beside each client; `client` must then be a `userspace-oracle` strategy. */
  oracle?(context: RunContext): OracleProcess;
}
