/**
 * Hosting a strategy by its `specificationVersion` (SPEC.md §1): the engine asks for a
 * `StrategyV1` and an adapter per published version turns a plugin into one. Today only v1
 * exists and its adapter is the identity; a v2 plugin gets a v2 → v1 adapter here, so the
 * engine never branches on versions and old strategies keep working unchanged.
 *
 * @example
 * ```ts
 * import { adaptStrategy, createRoaming } from '@pathwire/strategy';
 * const hosted = adaptStrategy(createRoaming({}));
 * console.log(hosted.name); // roaming
 * ```
 */
import { StrategyError } from './errors.js';
import type { StrategyV1 } from './v1/strategy.js';

/** Any strategy plugin, whatever version of the contract it implements. */
export interface VersionedStrategy {
  readonly specificationVersion: string;
  readonly name: string;
}

const ADAPTERS: Readonly<Record<string, (plugin: VersionedStrategy) => StrategyV1>> = {
  v1: (plugin) => plugin as StrategyV1,
};

/** The versions this host can adapt, newest last. */
export const SUPPORTED_SPECIFICATION_VERSIONS: readonly string[] = Object.keys(ADAPTERS);

/** A plugin as the engine hosts it; throws `StrategyError('UNSUPPORTED_VERSION')` for an unknown version. */
export function adaptStrategy(plugin: VersionedStrategy): StrategyV1 {
  const adapter = Object.hasOwn(ADAPTERS, plugin.specificationVersion)
    ? ADAPTERS[plugin.specificationVersion]
    : undefined;
  if (!adapter) {
    throw new StrategyError(
      'UNSUPPORTED_VERSION',
      `strategy "${plugin.name}" implements specification ${String(plugin.specificationVersion)}; this engine supports ${SUPPORTED_SPECIFICATION_VERSIONS.join(', ')}`,
    );
  }
  return adapter(plugin);
}
