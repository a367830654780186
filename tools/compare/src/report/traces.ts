/**
 * The simulated runs the report draws besides results.json: each scenario's timeline (every
 * strategy, the sweep's first seed, re-run with tracing; runs replay exactly, so these are the very
 * runs of the sweep) and the choice grid (one run per cell and strategy).
 */
import { runPool } from '../pool.js';
import type { RunTrace } from '../run-one.js';
import { groundTruth, type TruthSegment } from '../scenario/ground-truth.js';
import type { ScenarioDefinition } from '../scenario/types.js';
import type { ChosenChange } from '../sim/wire-node.js';
import { GRID_FAULT_AT, GRID_STREAM_HZ, gridCells } from './grid.js';
import type { GridPoint } from './plots.js';

export interface ScenarioTraces {
  readonly scenario: ScenarioDefinition;
  readonly seed: number;
  readonly truth: readonly TruthSegment[];
  readonly byStrategy: ReadonlyMap<string, RunTrace>;
}

/** Share of [from, to) during which the chosen path was `path`, %. */
export function shareOn(chosen: readonly ChosenChange[], path: string, from: number, to: number): number {
  let total = 0;
  for (const [i, c] of chosen.entries()) {
    const start = Math.max(c.at, from);
    const end = Math.min(chosen[i + 1]?.at ?? to, to);
    if (c.path === path && end > start) total += end - start;
  }
  return (100 * total) / (to - from);
}

export async function timelineTraces(
  scenarios: readonly ScenarioDefinition[],
  strategies: readonly string[],
  seed: number,
  streamHz: number,
  workers: number | undefined,
): Promise<ScenarioTraces[]> {
  const requests = scenarios.flatMap((scenario) =>
    strategies.map((strategy) => ({ scenario, strategy, seed, streamHz, trace: true })),
  );
  const outputs = await runPool(requests, workers === undefined ? {} : { workers });
  return scenarios.map((scenario, i) => ({
    scenario,
    seed,
    truth: groundTruth(scenario),
    byStrategy: new Map(strategies.map((s, j) => [s, outputs[i * strategies.length + j]!.trace!])),
  }));
}

/** The heatmap's points: each strategy's share of time on isp2 after the loss starts, and the ground truth's. */
export async function gridPoints(
  strategies: readonly string[],
  workers: number | undefined,
): Promise<GridPoint[]> {
  const cells = gridCells();
  const requests = cells.flatMap((cell) =>
    strategies.map((strategy) => ({
      scenario: cell.scenario,
      strategy,
      seed: 1,
      streamHz: GRID_STREAM_HZ,
      trace: true,
    })),
  );
  const outputs = await runPool(requests, workers === undefined ? {} : { workers });
  const points: GridPoint[] = [];
  for (const [i, cell] of cells.entries()) {
    const end = cell.scenario.durationMs;
    const truth = groundTruth(cell.scenario).map((s) => ({ at: s.from, path: s.best }));
    points.push({ ...cell, strategy: 'ground truth', onIsp2Pct: shareOn(truth, 'isp2', GRID_FAULT_AT, end) });
    for (const [j, strategy] of strategies.entries()) {
      const trace = outputs[i * strategies.length + j]!.trace!;
      points.push({ ...cell, strategy, onIsp2Pct: shareOn(trace.chosen, 'isp2', GRID_FAULT_AT, end) });
    }
  }
  return points;
}
