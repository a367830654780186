/**
 * The all-knowing oracle: a strategy that reads the simulator's ground truth and always activates
 * the best path's endpoint the instant it becomes best, and sends handshakes only there. No real
 * strategy can know this; it is the lower bound of every metric the endpoint choice can influence.
 */
import type { StrategyDecision, StrategyV1 } from '@pathwire/strategy';
import { truthAt } from '../scenario/ground-truth.js';
import type { RunContext } from './types.js';

export function createTruthOracle(context: RunContext): StrategyV1 {
  const { truth, endpointOfPath } = context;
  const bestAt = (now: number): string | undefined => {
    const best = truthAt(truth, now).best;
    return best === null ? undefined : endpointOfPath.get(best);
  };
  const nextChange = (now: number): number | undefined => truth.find((s) => s.from > now)?.from;
  return {
    specificationVersion: 'v1',
    name: 'oracle-truth',
    handle(event, ctx) {
      const decisions: StrategyDecision[] = [];
      const best = bestAt(ctx.now);
      const known = best !== undefined && ctx.endpoint(best) !== undefined;
      if (known && best !== ctx.active) decisions.push({ type: 'activate', endpoint: best });
      if (event.type === 'handshake-needed' && known) {
        decisions.push({ type: 'initiate', targets: [{ endpoint: best, delayMs: 0 }] });
      }
      if (!ctx.active && !known && ctx.endpoints[0]) {
        decisions.push({ type: 'activate', endpoint: ctx.endpoints[0].key });
      }
      const next = nextChange(ctx.now);
      if (next !== undefined) decisions.push({ type: 'wake', at: next });
      return decisions;
    },
  };
}
