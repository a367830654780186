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
export {
  countOption,
  durationAtLeast,
  durationOption,
  expectOnlyOptions,
  ratioOption,
  switchOption,
} from './options.js';
export {
  createProbeFields,
  isProbeReply,
  looksLikeProbe,
  PROBE_ERROR_NAMES,
  PROBE_HELLO,
  PROBE_HELLO_ACK,
  PROBE_MAX_SIZE,
  PROBE_PING,
  PROBE_PONG,
  PROBE_REPLY_LENGTH,
  PROBE_REQUEST_LENGTH,
  PROBE_VERSION,
  ProbeError,
  type ProbeErrorCode,
  type ProbeFields,
  type ProbeType,
  readProbe,
  replyType,
  writeProbe,
} from './probe-message.js';
export {
  PROBE_REPLAY_PATHS,
  PROBE_REPLAY_WINDOW,
  ProbeReplayGuard,
  type ProbeReplayVerdict,
} from './probe-replay.js';
export { createRegistry, StrategyRegistry } from './registry.js';
export { createRoaming } from './roaming.js';
export { updateLoss, updateRtt } from './rtt.js';
export * from './v1/index.js';
