/**
 * What the report says about a set of runs: per scenario and strategy, summaries of each metric,
 * and per scenario the winners (lowest median; the all-knowing oracle is the bound, not a
 * contender).
 */
import type { RunMetrics } from '../metrics/metrics.js';
import type { RunResult } from '../run-one.js';
import { type Summary, summarize } from './stats.js';

/** The metrics the tables summarize, with their column titles. */
export const TABLE_METRICS: readonly (readonly [keyof RunMetrics, string])[] = [
  ['outageMs', 'outage (ms)'],
  ['detectionMs', 'detection (ms)'],
  ['excessRttPct', 'excess RTT (%)'],
  ['timeOnBestPct', 'on best path (%)'],
  ['lost', 'lost probes'],
  ['switches', 'switches'],
  ['falseFailovers', 'false fail-overs'],
  ['overheadBytesPerSec', 'overhead (B/s)'],
  ['wakeupsPerMin', 'wake-ups/min'],
];

export const BOUND = 'oracle-truth';

export interface Cell {
  readonly scenario: string;
  readonly strategy: string;
  readonly runs: readonly RunResult[];
  readonly summaries: Readonly<Partial<Record<keyof RunMetrics, Summary>>>;
  /** Runs whose detection never happened (detectionMs null) although the best path changed. */
  readonly undetected: number;
}

export interface Winner {
  readonly strategies: readonly string[];
  readonly median: number;
  readonly overheadBytesPerSec: number;
}

export interface Headline {
  readonly scenario: string;
  readonly outage: Winner;
  readonly excessRtt: Winner;
  readonly bound: { outageMs: number; excessRttPct: number } | undefined;
}

export function ordered<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

export function buildCells(runs: readonly RunResult[]): Cell[] {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const key = `${run.scenario}\u0000${run.strategy}`;
    const list = groups.get(key);
    if (list) list.push(run);
    else groups.set(key, [run]);
  }
  return [...groups.entries()].map(([key, list]) => {
    const [scenario, strategy] = key.split('\u0000') as [string, string];
    const summaries: Partial<Record<keyof RunMetrics, Summary>> = {};
    for (const [metric] of TABLE_METRICS) {
      const values = list.map((r) => r.metrics[metric]).filter((v): v is number => typeof v === 'number');
      summaries[metric] = summarize(values, `${key}/${metric}`);
    }
    const undetected = list.filter((r) => r.metrics.detectionMs === null).length;
    return { scenario, strategy, runs: list, summaries, undetected };
  });
}

function winner(cells: readonly Cell[], metric: 'outageMs' | 'excessRttPct'): Winner {
  const contenders = cells.filter((c) => c.strategy !== BOUND);
  if (contenders.length === 0) return { strategies: [], median: Number.NaN, overheadBytesPerSec: Number.NaN };
  const best = Math.min(...contenders.map((c) => c.summaries[metric]!.median));
  const winners = contenders.filter((c) => c.summaries[metric]!.median === best);
  return {
    strategies: winners.map((c) => c.strategy),
    median: best,
    overheadBytesPerSec: Math.min(...winners.map((c) => c.summaries.overheadBytesPerSec!.median)),
  };
}

export function headlines(cells: readonly Cell[]): Headline[] {
  return ordered(cells.map((c) => c.scenario)).map((scenario) => {
    const mine = cells.filter((c) => c.scenario === scenario);
    const bound = mine.find((c) => c.strategy === BOUND);
    return {
      scenario,
      outage: winner(mine, 'outageMs'),
      excessRtt: winner(mine, 'excessRttPct'),
      bound: bound && {
        outageMs: bound.summaries.outageMs!.median,
        excessRttPct: bound.summaries.excessRttPct!.median,
      },
    };
  });
}
