/**
 * The baseline: stock WireGuard behaviour (whitepaper §2.1 "endpoints and roaming"). One
 * endpoint at a time; the active endpoint follows the source of the latest authenticated
 * packet; a handshake goes to the active endpoint (or the first configured one).
 *
 * @example
 * ```ts
 * import { createRoaming } from '@pathwire/strategy';
 * const strategy = createRoaming();
 * // the engine calls strategy.handle(event, context) and applies the decisions
 * ```
 */
import { expectOnlyOptions } from './options.js';
import type { StrategyDecision } from './v1/decisions.js';
import { NO_DECISIONS, type StrategyFactory, type StrategyV1 } from './v1/strategy.js';

export const createRoaming: StrategyFactory = (options = {}) => {
  expectOnlyOptions(options, [], 'roaming');
  const strategy: StrategyV1 = {
    specificationVersion: 'v1',
    name: 'roaming',
    handle(event, context): readonly StrategyDecision[] {
      switch (event.type) {
        case 'start':
        case 'endpoints-changed': {
          // With no active endpoint yet, take the first configured one.
          if (context.active && context.endpoint(context.active)) return NO_DECISIONS;
          const first = context.endpoints[0];
          return first ? [{ type: 'activate', endpoint: first.key }] : NO_DECISIONS;
        }
        case 'handshake-complete':
        case 'authenticated-packet':
        case 'user-endpoint':
          return event.endpoint === context.active
            ? NO_DECISIONS
            : [{ type: 'activate', endpoint: event.endpoint }];
        default:
          return NO_DECISIONS;
      }
    },
  };
  return strategy;
};
