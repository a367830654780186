/**
 * @pathwire/strategy-userspace-oracle: the RFC's "Decision-making in userspace" as a pathwire
 * strategy. An external process (the oracle) orders which endpoint carries a peer's traffic,
 * under a lease; without one the peer belongs to a fallback strategy (handshake-race by default).
 * The oracle socket's protocol is the `./protocol` entry point.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@pathwire/strategy';
 * import { register } from '@pathwire/strategy-userspace-oracle';
 * const registry = register(createRegistry());
 * const strategy = registry.create('userspace-oracle', { fallback: 'handshake-race', 'head-start': '10ms' });
 * ```
 */
import type { StrategyFactory, StrategyRegistry } from '@pathwire/strategy';
import { FALLBACKS, parseOptions } from './options.js';
import { UserspaceOracle } from './userspace-oracle.js';

export { type OracleCommand, type OracleNotice, readCommand } from './commands.js';
export { DEFAULT_FALLBACK, FALLBACKS, type OracleOptions, parseOptions } from './options.js';
export { UserspaceOracle } from './userspace-oracle.js';

/** The name users write after `Strategy =`. */
export const STRATEGY_NAME = 'userspace-oracle';

/** Builds the strategy for one peer; throws `StrategyError` naming a bad option (its fallback's too). */
export const createUserspaceOracle = ((options = {}) => {
  const { fallback, fallbackOptions } = parseOptions(options);
  return new UserspaceOracle(FALLBACKS[fallback]!(fallbackOptions));
}) satisfies StrategyFactory as (options?: Readonly<Record<string, string>>) => UserspaceOracle;

/** Whether a strategy is a userspace-oracle (the daemon's server attaches to those). */
export function isUserspaceOracle(strategy: unknown): strategy is UserspaceOracle {
  return strategy instanceof UserspaceOracle;
}

/** Registers `userspace-oracle` in a registry (the daemon calls this for each strategy it ships). */
export function register(registry: StrategyRegistry): StrategyRegistry {
  return registry.register(STRATEGY_NAME, createUserspaceOracle);
}
