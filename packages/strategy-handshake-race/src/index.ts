/**
 * @pathwire/strategy-handshake-race: the RFC's "Select new endpoint during each handshake" as a
 * pathwire strategy. Identical initiation copies go to every endpoint of a peer, the active one
 * first with a head start; the first valid response wins.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@pathwire/strategy';
 * import { register } from '@pathwire/strategy-handshake-race';
 * const registry = createRegistry();
 * register(registry);
 * const strategy = registry.create('handshake-race', { 'head-start': '10ms' });
 * ```
 */
import type { StrategyRegistry } from '@pathwire/strategy';
import { createHandshakeRace } from './handshake-race.js';

export { CandidateBackoff, type FailureRecord } from './backoff.js';
export {
  createHandshakeRace,
  MAX_RACE_TARGETS,
  RACE_FLOOR,
  RACE_TIMEOUT,
  type RaceTrigger,
  RESPONDER_RACE_DELAY,
  SUSPICION_CAP,
} from './handshake-race.js';
export { DEFAULT_OPTIONS, type HandshakeRaceOptions, OPTION_NAMES, parseOptions } from './options.js';

/** The name users write after `Strategy =`. */
export const STRATEGY_NAME = 'handshake-race';

/** Registers `handshake-race` in a registry (the daemon calls this for each strategy it ships). */
export function register(registry: StrategyRegistry): StrategyRegistry {
  return registry.register(STRATEGY_NAME, createHandshakeRace);
}
