/** One (scenario, strategy, seed) run in the simulator, as a row of results.json. */
import { computeMetrics, type RunMetrics } from './metrics/metrics.js';
import { scenarioByName } from './scenarios/index.js';
import { type Observations, simulate } from './sim/world.js';
import { strategyByName } from './strategies/registry.js';

export interface RunKey {
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
}

export interface RunResult extends RunKey {
  readonly mode: 'sim';
  readonly metrics: RunMetrics;
}

/** Default probe stream rate, packets per second. */
export const DEFAULT_STREAM_HZ = 50;

export function observe(key: RunKey, streamHz = DEFAULT_STREAM_HZ): Observations {
  return simulate(scenarioByName(key.scenario), strategyByName(key.strategy), key.seed, { streamHz });
}

export function runOne(key: RunKey, streamHz = DEFAULT_STREAM_HZ): RunResult {
  const metrics = computeMetrics(observe(key, streamHz));
  return { scenario: key.scenario, strategy: key.strategy, seed: key.seed, mode: 'sim', metrics };
}
