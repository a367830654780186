/**
 * @pathwire/strategy: the versioned contract between the engine and endpoint-selection
 * strategies, statistics helpers, the roaming baseline and a registry.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@pathwire/strategy';
 * const strategy = createRegistry().create('roaming');
 * console.log(strategy.specificationVersion, strategy.name); // v1 roaming
 * ```
 */
export { adaptStrategy, SUPPORTED_SPECIFICATION_VERSIONS, type VersionedStrategy } from './adapter.js';
export { lowestRtt, usableCandidates } from './candidates.js';
export { StrategyError, type StrategyErrorCode } from './errors.js';
export { durationOption, expectOnlyOptions } from './options.js';
export { PROBE_LENGTH, PROBE_REPLY, PROBE_REQUEST, readProbe, writeProbe } from './probe-message.js';
export { createRegistry, StrategyRegistry } from './registry.js';
export { createRoaming } from './roaming.js';
export { updateLoss, updateRtt } from './rtt.js';
export * from './v1/index.js';
