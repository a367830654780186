/** The strategies this daemon ships, registered by name for `Strategy =` in configs. */
import type { StrategyRegistry } from '@pathwire/strategy';
import { register as registerHandshakeRace } from '@pathwire/strategy-handshake-race';

export function registerStrategies(registry: StrategyRegistry): StrategyRegistry {
  registerHandshakeRace(registry);
  return registry;
}
