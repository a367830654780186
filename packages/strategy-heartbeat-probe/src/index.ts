/**
 * @pathwire/strategy-heartbeat-probe: the RFC's "Extend WireGuard to perform measurements" as a
 * pathwire strategy. In-band probes (PING/PONG inside the encrypted channel) measure RTT and loss
 * per path; sub-second fail-over; loss-aware choice with hysteresis; handshake-race behaviour
 * (and nothing else) against stock WireGuard peers.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@pathwire/strategy';
 * import { register } from '@pathwire/strategy-heartbeat-probe';
 * const registry = createRegistry();
 * register(registry);
 * const strategy = registry.create('heartbeat-probe', { 'suspect-floor': '250ms' });
 * ```
 */
import type { StrategyRegistry } from '@pathwire/strategy';
import { createHeartbeatProbe } from './heartbeat-probe.js';

export {
  createHeartbeatProbe,
  FIRST_PROBE_SPREAD,
  LEARNED_PROBE_HORIZON,
  type SwitchReason,
} from './heartbeat-probe.js';
export { Hysteresis, type HysteresisOptions } from './hysteresis.js';
export { LossEstimator, RECENT_OUTCOMES } from './loss-estimator.js';
export {
  DEFAULT_OPTIONS,
  type HeartbeatProbeOptions,
  OPTION_NAMES,
  OWN_OPTION_NAMES,
  parseOptions,
} from './options.js';
export { Path, type PathState, PROBE_EXPIRY } from './path.js';
export { INITIAL_TIMEOUT, RttEstimator } from './rtt-estimator.js';
export { beatsByMargin, type Margins, type PathMeasure, type ScoreWeights, score } from './score.js';

/** The name users write after `Strategy =`. */
export const STRATEGY_NAME = 'heartbeat-probe';

/** Registers `heartbeat-probe` in a registry (the daemon calls this for each strategy it ships). */
export function register(registry: StrategyRegistry): StrategyRegistry {
  return registry.register(STRATEGY_NAME, createHeartbeatProbe);
}
