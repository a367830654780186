/**
 * Strategies by name, for configs that say `Strategy = handshake-race`. Strategy packages export
 * a `register(registry)` function; the daemon calls it for each strategy it ships.
 */
import { adaptStrategy } from './adapter.js';
import { StrategyError } from './errors.js';
import { createRoaming } from './roaming.js';
import type { StrategyFactory, StrategyV1 } from './v1/strategy.js';

export class StrategyRegistry {
  private readonly factories = new Map<string, StrategyFactory>();

  register(name: string, factory: StrategyFactory): this {
    this.factories.set(name, factory);
    return this;
  }

  names(): string[] {
    return [...this.factories.keys()].sort();
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  /** Builds a strategy; throws `StrategyError` naming the strategy or the bad option. */
  create(name: string, options: Readonly<Record<string, string>> = {}): StrategyV1 {
    const factory = this.factories.get(name);
    if (!factory) {
      throw new StrategyError(
        'UNKNOWN_STRATEGY',
        `unknown strategy "${name}" (known: ${this.names().join(', ')})`,
      );
    }
    return adaptStrategy(factory(options));
  }
}

/** A registry with the baseline `roaming` strategy. */
export function createRegistry(): StrategyRegistry {
  return new StrategyRegistry().register('roaming', createRoaming);
}
