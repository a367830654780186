/** Version 1 of the strategy contract. */
export type { InitiationTarget, StrategyDecision } from './decisions.js';
export type { Endpoint, EndpointState, EndpointView, RoundTripTime } from './endpoint-view.js';
export type { HandshakeReason, StrategyEvent } from './events.js';
export { NO_DECISIONS, type StrategyContext, type StrategyFactory, type StrategyV1 } from './strategy.js';
export { type DecisionCheck, type EndpointLookup, validateDecisions } from './validate.js';
