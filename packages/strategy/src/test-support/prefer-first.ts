/**
 * The small strategy the README writes step by step (kept here so it is compiled and run
 * through the conformance suite by `readme-example.test.ts`). Keep the two in sync.
 */
// README:begin
import {
  durationOption,
  expectOnlyOptions,
  NO_DECISIONS,
  type StrategyContext,
  type StrategyDecision,
  type StrategyFactory,
} from '../index.js'; // in your package: from '@pathwire/strategy'

/**
 * prefer-first: use the first configured endpoint that works. When the active one fails (a
 * send error, or data unanswered for `silence`), send the next handshake to every endpoint and
 * follow whichever answers first; after that, go back to the first endpoint at the next rekey.
 */
export const createPreferFirst: StrategyFactory = (options = {}) => {
  expectOnlyOptions(options, ['silence'], 'prefer-first');
  const silenceMs = durationOption(options, 'silence', 2_000);
  let suspectSince: number | undefined; // an outage episode on the active endpoint

  // One initiation, identical bytes to every endpoint: the first response wins.
  const raceAll = (context: StrategyContext): StrategyDecision => ({
    type: 'initiate',
    targets: context.endpoints.map((endpoint) => ({ endpoint: endpoint.key, delayMs: 0 })),
  });

  return {
    specificationVersion: 'v1',
    name: 'prefer-first',
    handle(event, context) {
      switch (event.type) {
        case 'start':
        case 'endpoints-changed': {
          if (context.active && context.endpoint(context.active)) return NO_DECISIONS;
          const first = context.endpoints[0];
          return first ? [{ type: 'activate', endpoint: first.key }] : NO_DECISIONS;
        }
        case 'handshake-needed': {
          // Racing: every endpoint. Otherwise the first one (the engine's default is the active one).
          if (suspectSince !== undefined || event.reason === 'retry') return [raceAll(context)];
          const first = context.endpoints[0];
          return first
            ? [{ type: 'initiate', targets: [{ endpoint: first.key, delayMs: 0 }] }]
            : NO_DECISIONS;
        }
        case 'handshake-complete':
          suspectSince = undefined;
          return event.endpoint === context.active
            ? NO_DECISIONS
            : [{ type: 'activate', endpoint: event.endpoint }];
        case 'send-error':
          if (event.endpoint !== context.active) return NO_DECISIONS;
          suspectSince = context.now;
          return [raceAll(context)]; // the engine rate-limits initiations a strategy starts
        case 'unanswered':
          return [{ type: 'wake', at: event.since + silenceMs }];
        case 'timer':
          // Still nothing back since the data went out: race.
          if (context.unansweredSince === undefined) return NO_DECISIONS;
          suspectSince = context.now;
          return [raceAll(context)];
        default:
          return NO_DECISIONS;
      }
    },
  };
};
// README:end
