/** The strategies this daemon ships, registered by name for `Strategy =` in configs. */
import type { StrategyRegistry } from '@pathwire/strategy';
import { register as registerHandshakeRace } from '@pathwire/strategy-handshake-race';
import { register as registerHeartbeatProbe } from '@pathwire/strategy-heartbeat-probe';

export function registerStrategies(registry: StrategyRegistry): StrategyRegistry {
  registerHandshakeRace(registry);
  registerHeartbeatProbe(registry);
  return registry;
}
