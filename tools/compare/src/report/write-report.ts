/**
 * Builds report.html from a results.json: summaries and winners from the runs, timelines and the
 * choice grid from fresh traced runs (deterministic, on the worker pool), figures from Observable
 * Plot, all in one self-contained file.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Results } from '../results.js';
import type { RunResult } from '../run-one.js';
import { DEFAULT_STREAM_HZ } from '../run-one.js';
import { SCENARIOS } from '../scenarios/index.js';
import { STRATEGIES } from '../strategies/registry.js';
import { renderHtml } from './html.js';
import { buildCells, headlines, ordered } from './model.js';
import {
  type Band,
  type CdfPoint,
  cdfPlot,
  gridPlot,
  scatterPlot,
  strategyLegend,
  timelinePlot,
} from './plots.js';
import { gridPoints, type ScenarioTraces, timelineTraces } from './traces.js';

export interface ReportOptions {
  readonly workers?: number;
}

export const REPORT_FILE = 'report.html';

/** At most this many single-seed dots per strategy in a scatter plot (the medians use every run). */
export const MAX_SEED_DOTS = 100;
/** At most this many points per CDF line (evenly spaced ranks): a 10,000-seed sweep stays a small file. */
export const MAX_CDF_POINTS = 400;

function cdf(
  runs: readonly RunResult[],
  strategies: readonly string[],
  metric: 'outageMs' | 'excessRttPct',
): CdfPoint[] {
  const points: CdfPoint[] = [];
  for (const strategy of strategies) {
    const values = runs
      .filter((r) => r.strategy === strategy)
      .map((r) => r.metrics[metric])
      .sort((a, b) => a - b);
    const n = values.length;
    const step = Math.max(1, Math.floor(n / MAX_CDF_POINTS));
    for (let i = 0; i < n; i += step) points.push({ strategy, value: values[i]!, fraction: (i + 1) / n });
    if (n > 0 && (n - 1) % step !== 0) points.push({ strategy, value: values[n - 1]!, fraction: 1 });
  }
  return points;
}

function timeline(t: ScenarioTraces, strategies: readonly string[]): string {
  const end = t.scenario.durationMs;
  const s = (ms: number) => ms / 1000;
  const bands: Band[] = t.truth
    .filter((seg) => seg.best !== null)
    .map((seg) => ({ row: 'ground truth', from: s(seg.from), to: s(seg.to), path: seg.best! }));
  const gaps: { row: string; from: number; to: number }[] = [];
  const switches: { row: string; at: number }[] = [];
  for (const strategy of strategies) {
    const trace = t.byStrategy.get(strategy)!;
    for (const [i, c] of trace.chosen.entries()) {
      if (c.path === null) continue;
      bands.push({ row: strategy, from: s(c.at), to: s(trace.chosen[i + 1]?.at ?? end), path: c.path });
    }
    for (const [from, to] of trace.gaps) gaps.push({ row: strategy, from: s(from), to: s(to) });
    for (const at of trace.switches) switches.push({ row: strategy, at: s(at) });
  }
  return timelinePlot(
    `${t.scenario.title} (seed ${t.seed})`,
    ['ground truth', ...strategies],
    bands,
    gaps,
    switches,
    t.scenario.paths.map((p) => p.name),
    s(end),
  );
}

export async function writeReport(dir: string, results: Results, options: ReportOptions): Promise<string> {
  const runs = results.runs;
  const known = new Set(STRATEGIES.map((s) => s.name));
  const strategies = ordered(runs.map((r) => r.strategy)).filter((s) => known.has(s));
  const scenarios = SCENARIOS.filter((s) => runs.some((r) => r.scenario === s.name));
  const cells = buildCells(runs);
  const streamHz = typeof results.meta.streamHz === 'number' ? results.meta.streamHz : DEFAULT_STREAM_HZ;
  const seed = Math.min(...runs.map((r) => r.seed));
  const traces = await timelineTraces(scenarios, strategies, seed, streamHz, options.workers);
  const grid = await gridPoints(strategies, options.workers);
  const scatter = scenarios.map((scenario) => {
    const mine = cells.filter((c) => c.scenario === scenario.name);
    const points = mine.flatMap((c) => [
      ...c.runs.slice(0, MAX_SEED_DOTS).map((r) => ({
        strategy: c.strategy,
        overheadBytesPerSec: r.metrics.overheadBytesPerSec,
        outageMs: r.metrics.outageMs,
        median: false,
      })),
      {
        strategy: c.strategy,
        overheadBytesPerSec: c.summaries.overheadBytesPerSec!.median,
        outageMs: c.summaries.outageMs!.median,
        median: true,
      },
    ]);
    return scatterPlot(scenario.title, points, strategies);
  });
  const panels = ['ground truth', ...strategies];
  const html = renderHtml({
    meta: results.meta,
    runs: runs.length,
    cells,
    headlines: headlines(cells),
    legend: strategyLegend(strategies),
    scatter,
    timelines: traces.map((t) => timeline(t, strategies)),
    cdfs: [
      cdfPlot('Outage, every run', 'outage (ms)', cdf(runs, strategies, 'outageMs'), strategies),
      cdfPlot('Excess RTT, every run', 'excess RTT (%)', cdf(runs, strategies, 'excessRttPct'), strategies),
    ],
    grid: panels.map((panel, i) =>
      gridPlot(
        panel,
        grid.filter((p) => p.strategy === panel),
        i === 0,
      ),
    ),
  });
  const file = join(dir, REPORT_FILE);
  await writeFile(file, html);
  return file;
}
