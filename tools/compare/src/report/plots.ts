/**
 * The report's figures, drawn by Observable Plot into a server-side DOM (linkedom) and kept as
 * static SVG markup: no script runs in the report, and nothing is fetched.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

const { document } = parseHTML('<!doctype html><html><body></body></html>');

/** Plot's options, with the server-side document. */
type PlotOptions = Parameters<typeof Plot.plot>[0];

function render(options: PlotOptions): string {
  const node = Plot.plot({ ...options, document } as PlotOptions) as unknown as { outerHTML: string };
  return node.outerHTML;
}

const OUTAGE_RED = '#d62728';

/** Decade tick labels: 0, 10, 100, 1k, 10k, … (and their negatives). */
function decade(d: number): string {
  const a = Math.abs(d);
  const text = a >= 1e6 ? `${a / 1e6}M` : a >= 1e3 ? `${a / 1e3}k` : String(a);
  return d < 0 ? `−${text}` : text;
}

/** A symlog axis (zero stays on the plot) with decade ticks; negative decades only where asked. */
function logAxis(negative = false) {
  const up = [0, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7];
  return {
    type: 'symlog',
    constant: 10,
    ticks: negative ? [-1e3, -100, -10, ...up] : up,
    tickFormat: decade,
    grid: true,
  } as const;
}

export interface ScatterPoint {
  readonly strategy: string;
  readonly overheadBytesPerSec: number;
  readonly outageMs: number;
  /** A median (drawn big) or one seed (drawn faint). */
  readonly median: boolean;
}

/** Pantheon-style: outage (lower is better) against overhead (left is cheaper), one colour per strategy. */
export function scatterPlot(
  title: string,
  points: readonly ScatterPoint[],
  strategies: readonly string[],
): string {
  return render({
    title,
    width: 340,
    height: 240,
    marginLeft: 50,
    x: { ...logAxis(), label: 'overhead (B/s) →' },
    y: { ...logAxis(), label: '↑ outage (ms)' },
    color: { domain: [...strategies], scheme: 'observable10' },
    marks: [
      Plot.dot(
        points.filter((p) => !p.median),
        { x: 'overheadBytesPerSec', y: 'outageMs', stroke: 'strategy', r: 1.5, strokeOpacity: 0.35 },
      ),
      Plot.dot(
        points.filter((p) => p.median),
        { x: 'overheadBytesPerSec', y: 'outageMs', fill: 'strategy', r: 5, stroke: 'white', tip: false },
      ),
    ],
  });
}

/** A legend for the strategies' colours (shared by the scatter plots and the CDFs). */
export function strategyLegend(strategies: readonly string[]): string {
  const node = Plot.legend({
    color: { domain: [...strategies], scheme: 'observable10' },
    document,
  } as Parameters<typeof Plot.legend>[0]) as unknown as { outerHTML: string };
  return node.outerHTML;
}

export interface Band {
  readonly row: string;
  readonly from: number;
  readonly to: number;
  readonly path: string;
}

export interface Mark {
  readonly row: string;
  readonly from: number;
  readonly to: number;
}

/** Per-scenario timeline: ground truth and each strategy's data path as bands, outages in red, switches as ticks. */
export function timelinePlot(
  title: string,
  rows: readonly string[],
  bands: readonly Band[],
  gaps: readonly Mark[],
  switches: readonly { row: string; at: number }[],
  paths: readonly string[],
  durationS: number,
): string {
  return render({
    title,
    width: 900,
    height: 40 + rows.length * 26,
    marginLeft: 150,
    x: { domain: [0, durationS], label: 'time (s) →', grid: true },
    y: { domain: [...rows], label: null },
    color: { domain: [...paths], scheme: 'tableau10', legend: true },
    marks: [
      Plot.barX(bands, { x1: 'from', x2: 'to', y: 'row', fill: 'path', insetTop: 2, insetBottom: 2 }),
      Plot.barX(gaps, { x1: 'from', x2: 'to', y: 'row', fill: OUTAGE_RED, insetTop: 9, insetBottom: 9 }),
      Plot.tickX(switches, { x: 'at', y: 'row', stroke: 'black', strokeWidth: 1.5 }),
    ],
  });
}

export interface CdfPoint {
  readonly strategy: string;
  readonly value: number;
  readonly fraction: number;
}

/** Empirical CDF of a metric over every run of every scenario, one line per strategy. */
export function cdfPlot(
  title: string,
  label: string,
  points: readonly CdfPoint[],
  strategies: readonly string[],
): string {
  return render({
    title,
    width: 440,
    height: 280,
    x: { ...logAxis(true), label: `${label} →` },
    y: { domain: [0, 1], label: '↑ fraction of runs', grid: true },
    color: { domain: [...strategies], scheme: 'observable10' },
    marks: [
      Plot.line(points, { x: 'value', y: 'fraction', stroke: 'strategy', curve: 'step-after' }),
      Plot.ruleY([0]),
    ],
  });
}

export interface GridPoint {
  readonly strategy: string;
  readonly lossPct: number;
  readonly rttDiffMs: number;
  /** Share of the time after the loss started that the data took isp2, %. */
  readonly onIsp2Pct: number;
}

/** One panel of the loss × RTT-difference heatmap of choices (a strategy, or the ground truth). */
export function gridPlot(title: string, points: readonly GridPoint[], legend: boolean): string {
  return render({
    title,
    width: 290,
    height: 230,
    marginLeft: 45,
    padding: 0.05,
    x: { label: 'isp2 − isp1 RTT (ms) →' },
    y: { label: '↑ isp1 loss (%)', reverse: true },
    // Quantized: a continuous ramp legend would need a canvas, which a server-side DOM lacks.
    color: { type: 'quantize', n: 5, domain: [0, 100], scheme: 'blues', legend, label: 'time on isp2 (%)' },
    marks: [
      Plot.cell(points, { x: 'rttDiffMs', y: 'lossPct', fill: 'onIsp2Pct', inset: 0.5 }),
      Plot.text(points, {
        x: 'rttDiffMs',
        y: 'lossPct',
        text: (d: GridPoint) => d.onIsp2Pct.toFixed(0),
        fill: (d: GridPoint) => (d.onIsp2Pct > 60 ? 'white' : 'black'),
        fontSize: 9,
      }),
    ],
  });
}
