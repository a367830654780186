/**
 * Which runs a sweep consists of, in the one canonical order results.json uses: scenarios in
 * catalog order, then strategies in registry order, then seeds ascending. Shards take every N-th
 * run of that list, so heavy scenarios spread over all shards and merging shards 0..N-1 gives
 * exactly the runs of the whole sweep.
 */
import { UsageError } from './errors.js';
import type { RunKey } from './run-one.js';
import { SCENARIOS, scenarioByName } from './scenarios/index.js';
import { STRATEGIES, strategyByName } from './strategies/registry.js';

export interface Shard {
  /** 0-based, like Kubernetes' JOB_COMPLETION_INDEX. */
  readonly index: number;
  readonly count: number;
}

export interface PlanOptions {
  readonly scenarios?: readonly string[];
  readonly strategies?: readonly string[];
  readonly seeds: number;
  readonly shard?: Shard;
}

/** Parses `i/N` (0 <= i < N). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1) || !(index < count)) {
    throw new UsageError(
      `--shard ${JSON.stringify(text)}: expected i/N with 0 <= i < N (e.g. 0/4, as JOB_COMPLETION_INDEX counts)`,
    );
  }
  return { index, count };
}

export function planRuns(options: PlanOptions): RunKey[] {
  if (!Number.isInteger(options.seeds) || options.seeds < 1) {
    throw new UsageError(`--seeds ${options.seeds}: expected a whole number >= 1`);
  }
  const scenarios = options.scenarios?.length
    ? options.scenarios.map((n) => scenarioByName(n).name)
    : SCENARIOS.map((s) => s.name);
  const strategies = options.strategies?.length
    ? options.strategies.map((n) => strategyByName(n).name)
    : STRATEGIES.map((s) => s.name);
  const all: RunKey[] = [];
  for (const scenario of SCENARIOS.map((s) => s.name).filter((n) => scenarios.includes(n))) {
    for (const strategy of STRATEGIES.map((s) => s.name).filter((n) => strategies.includes(n))) {
      for (let seed = 1; seed <= options.seeds; seed++) all.push({ scenario, strategy, seed });
    }
  }
  const shard = options.shard;
  return shard ? all.filter((_, i) => i % shard.count === shard.index) : all;
}

/** Orders runs canonically (catalog, registry, seed); unknown names are an error. */
export function compareRunKeys(a: RunKey, b: RunKey): number {
  const sa = SCENARIOS.indexOf(scenarioByName(a.scenario));
  const sb = SCENARIOS.indexOf(scenarioByName(b.scenario));
  if (sa !== sb) return sa - sb;
  const ta = STRATEGIES.indexOf(strategyByName(a.strategy));
  const tb = STRATEGIES.indexOf(strategyByName(b.strategy));
  if (ta !== tb) return ta - tb;
  return a.seed - b.seed;
}
