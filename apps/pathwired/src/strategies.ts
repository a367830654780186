/** The strategies this daemon ships, registered by name for `Strategy =` in configs. */
import type { StrategyRegistry } from '@pathwire/strategy';

export function registerStrategies(registry: StrategyRegistry): StrategyRegistry {
  return registry;
}
