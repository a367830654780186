/** The strategies this daemon ships, registered by name for `Strategy =` in configs. */
import type { StrategyRegistry } from '@pathwire/strategy';
import { register as registerHandshakeRace } from '@pathwire/strategy-handshake-race';
import { register as registerUserspaceOracle } from '@pathwire/strategy-userspace-oracle';

export function registerStrategies(registry: StrategyRegistry): StrategyRegistry {
  registerHandshakeRace(registry);
  registerUserspaceOracle(registry);
  return registry;
}
