/**
 * The strategy contract, version 1. A strategy is a plugin the engine hosts, one instance per
 * peer: events in, decisions out, no I/O, time only from the context. The contract is
 * versioned by `specificationVersion` so that third-party strategies keep working when a v2
 * appears beside it.
 */
import type { StrategyDecision } from './decisions.js';
import type { EndpointView } from './endpoint-view.js';
import type { StrategyEvent } from './events.js';

export interface StrategyContext {
  /** The engine's clock, ms. */
  readonly now: number;
  /** The peer's endpoints, configured ones in candidate order first. */
  readonly endpoints: readonly EndpointView[];
  /** Key of the endpoint that carries data now, if any. */
  readonly active: string | undefined;
  /** When the last authenticated packet from the peer arrived (any endpoint). */
  readonly lastAuthenticatedAt: number | undefined;
  /** When data first went out unanswered since then, if it has (see the `unanswered` event). */
  readonly unansweredSince: number | undefined;
  /**
   * When the engine last sent a handshake initiation (any reason), if it has. A strategy's own
   * `initiate` within STRATEGY_INITIATION_FLOOR (250 ms) of it is ignored by the engine.
   */
  readonly lastInitiationAt?: number | undefined;
  /** When the current session was established, if there is one. */
  readonly sessionEstablishedAt: number | undefined;
  /** Whether the peer answers in-band probes: unknown until a probe is answered or times out. */
  readonly probeSupport: 'unknown' | 'yes' | 'no';
  /** Seeded randomness (the simulator replays it). */
  random(): number;
  endpoint(key: string): EndpointView | undefined;
}

export interface StrategyV1 {
  readonly specificationVersion: 'v1';
  /** The name users write after `Strategy =`. */
  readonly name: string;
  /** Reacts to one event. Must not throw; must not keep `context` beyond the call. */
  handle(event: StrategyEvent, context: StrategyContext): readonly StrategyDecision[];
  /** Strategy-specific state for `pathwire status` (e.g. the last race's results). */
  describe?(): Record<string, unknown>;
}

/** Builds a strategy for one peer from the options written in the config (`Strategy = name key=value …`). */
export type StrategyFactory = (options: Readonly<Record<string, string>>) => StrategyV1;

export const NO_DECISIONS: readonly StrategyDecision[] = Object.freeze([]);
