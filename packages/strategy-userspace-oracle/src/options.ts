/**
 * `Strategy = userspace-oracle fallback=handshake-race [fallback options…]`: the fallback that
 * owns the peer while no writer's lease is in force (DESIGN.md: `OracleFallback =`, default
 * handshake-race). Every other option is the fallback's own, checked by it.
 */
import { createRoaming, StrategyError, type StrategyFactory } from '@pathwire/strategy';
import { createHandshakeRace } from '@pathwire/strategy-handshake-race';

export const DEFAULT_FALLBACK = 'handshake-race';
/** Strategies the oracle can fall back to. */
export const FALLBACKS: Readonly<Record<string, StrategyFactory>> = {
  'handshake-race': createHandshakeRace,
  roaming: createRoaming,
};

export interface OracleOptions {
  readonly fallback: string;
  readonly fallbackOptions: Readonly<Record<string, string>>;
}

export function parseOptions(options: Readonly<Record<string, string>>): OracleOptions {
  const { fallback = DEFAULT_FALLBACK, ...fallbackOptions } = options;
  if (!Object.hasOwn(FALLBACKS, fallback))
    throw new StrategyError(
      'BAD_OPTION',
      `option fallback: "${fallback}" is not a fallback strategy (known: ${Object.keys(FALLBACKS).join(', ')})`,
    );
  return { fallback, fallbackOptions };
}
