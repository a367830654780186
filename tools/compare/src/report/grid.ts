/**
 * The report's choice grid: isp1 (20 ms) starts losing L % of packets at 3 s while isp2 is D ms
 * slower (or faster) than isp1. Which path does each strategy pick, for each (L, D)? Plain scenario
 * definitions, run once each at a low stream rate.
 */
import type { ScenarioDefinition } from '../scenario/types.js';
import { CLIENT, ISP1, ISP2, twoIsp } from '../scenarios/base.js';

export const GRID_LOSS_PCT = [0, 1, 2, 5, 10, 20, 50] as const;
export const GRID_RTT_DIFF_MS = [-10, 0, 5, 10, 20, 50] as const;
export const GRID_FAULT_AT = 3_000;
export const GRID_DURATION_MS = 12_000;
export const GRID_STREAM_HZ = 10;

export interface GridCell {
  readonly lossPct: number;
  readonly rttDiffMs: number;
  readonly scenario: ScenarioDefinition;
}

export function gridCells(): GridCell[] {
  const cells: GridCell[] = [];
  for (const lossPct of GRID_LOSS_PCT) {
    for (const rttDiffMs of GRID_RTT_DIFF_MS) {
      const scenario = twoIsp(
        {
          name: `grid-l${lossPct}-d${rttDiffMs}`.replace('-d-', '-dm'),
          title: `isp1 ${lossPct} % loss, isp2 ${rttDiffMs >= 0 ? '+' : ''}${rttDiffMs} ms`,
          description: 'A cell of the report’s loss × RTT-difference grid.',
          faults: lossPct > 0 ? [{ at: GRID_FAULT_AT, path: 'isp1', set: { loss: lossPct / 100 } }] : [],
        },
        {
          durationMs: GRID_DURATION_MS,
          paths: [
            { name: 'isp1', client: CLIENT, server: ISP1, link: { rttMs: 20, jitterMs: 1 } },
            { name: 'isp2', client: CLIENT, server: ISP2, link: { rttMs: 20 + rttDiffMs, jitterMs: 1 } },
          ],
        },
      );
      cells.push({ lossPct, rttDiffMs, scenario });
    }
  }
  return cells;
}
