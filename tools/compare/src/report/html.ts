/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no external resource) with
 * the headline table, the outage-vs-overhead scatter, the timelines, the CDFs, the choice grid,
 * the summary tables and the provenance (command, commit, machine).
 */
import type { RunMetrics } from '../metrics/metrics.js';
import type { ResultsMeta } from '../results.js';
import { SCENARIOS } from '../scenarios/index.js';
import { STRATEGIES } from '../strategies/registry.js';
import { BOUND, type Cell, type Headline, TABLE_METRICS } from './model.js';
import type { Summary } from './stats.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1280px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; } h3 { margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e5e5e5; padding: .2rem .55rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td small { color: #777; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1rem; }
.note { color: #555; max-width: 75ch; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
figure { margin: 0; } svg { max-width: 100%; height: auto; }
`;

export interface ReportParts {
  readonly meta: ResultsMeta;
  readonly runs: number;
  readonly cells: readonly Cell[];
  readonly headlines: readonly Headline[];
  readonly legend: string;
  readonly scatter: readonly string[];
  readonly timelines: readonly string[];
  readonly cdfs: readonly string[];
  readonly grid: readonly string[];
}

const title = (scenario: string) => SCENARIOS.find((s) => s.name === scenario)?.title ?? scenario;
const strategyTitle = (name: string) => STRATEGIES.find((s) => s.name === name)?.title ?? name;

function summaryCell(s: Summary | undefined): string {
  if (!s || s.n === 0) return '<td>–</td>';
  return `<td>${formatNumber(s.median)} <small>[${formatNumber(s.low)}, ${formatNumber(s.high)}]</small><br><small>p90 ${formatNumber(s.p90)} · p99 ${formatNumber(s.p99)}</small></td>`;
}

function headlineTable(headlines: readonly Headline[]): string {
  const rows = headlines.map((h) => {
    const who = (w: Headline['outage']) => escapeHtml(w.strategies.join(' = ') || '–');
    const bound = h.bound
      ? `${formatNumber(h.bound.outageMs)} ms · ${formatNumber(h.bound.excessRttPct)} %`
      : '<small>not run</small>';
    return `<tr><td>${escapeHtml(title(h.scenario))}</td><td>${who(h.outage)}</td><td>${formatNumber(h.outage.median)}</td><td>${formatNumber(h.outage.overheadBytesPerSec)}</td><td>${who(h.excessRtt)}</td><td>${formatNumber(h.excessRtt.median)}</td><td>${formatNumber(h.excessRtt.overheadBytesPerSec)}</td><td>${bound}</td></tr>`;
  });
  return `<table><thead><tr><th>scenario</th><th>best on outage</th><th>median outage (ms)</th><th>its overhead (B/s)</th><th>best on excess RTT</th><th>median excess RTT (%)</th><th>its overhead (B/s)</th><th>${BOUND} bound</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function scenarioTable(scenario: string, cells: readonly Cell[]): string {
  const head = TABLE_METRICS.map(([, name]) => `<th>${escapeHtml(name)}</th>`).join('');
  const rows = cells
    .filter((c) => c.scenario === scenario)
    .map((c) => {
      const values = TABLE_METRICS.map(([metric]) =>
        summaryCell(c.summaries[metric as keyof RunMetrics]),
      ).join('');
      const never =
        c.undetected > 0
          ? `<br><small>${c.undetected}/${c.runs.length} never on the new best path</small>`
          : '';
      return `<tr><td>${escapeHtml(strategyTitle(c.strategy))}${never}</td>${values}</tr>`;
    });
  return `<h3>${escapeHtml(title(scenario))}</h3><table><thead><tr><th>strategy (${cells.find((c) => c.scenario === scenario)?.runs.length ?? 0} seeds)</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metaList(meta: ResultsMeta, runs: number): string {
  const machine = Object.entries(meta.machine)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const items: [string, string][] = [
    ['command', meta.command],
    ['commit', meta.commit],
    ['machine', machine],
    ['date', meta.date],
    ['runs', `${runs} (probe stream ${String(meta.streamHz)} Hz)`],
  ];
  if (Array.isArray(meta.shards)) items.push(['shards', String(meta.shards.length)]);
  return `<dl class="meta">${items.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/** `<dt>title <code>name</code></dt><dd>description</dd>` for each named entry. */
function definitions(
  names: readonly string[],
  entries: readonly { name: string; title: string; description: string }[],
): string {
  return names
    .map((name) => entries.find((x) => x.name === name))
    .map((e) =>
      e ? `<dt>${escapeHtml(e.title)} <code>${e.name}</code></dt><dd>${escapeHtml(e.description)}</dd>` : '',
    )
    .join('');
}

export function renderHtml(parts: ReportParts): string {
  const scenarios = [...new Set(parts.cells.map((c) => c.scenario))];
  const descriptions = definitions(scenarios, SCENARIOS);
  const strategies = definitions([...new Set(parts.cells.map((c) => c.strategy))], STRATEGIES);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pathwire-compare: endpoint-selection strategies in the simulator</title><style>${STYLE}</style></head>
<body>
<h1>Which endpoint-selection strategy, where, at what cost</h1>
<p class="note">Every strategy × every scenario × every seed in pathwire's deterministic simulator: two engine peers
(real handshakes, real ChaCha20-Poly1305) over simulated paths, an echo probe stream through the tunnel. Medians with
95 % bootstrap intervals of the median in brackets; p90 and p99 below. Outage: longest run of lost probes. Excess RTT:
RTT over the best path available at that instant. Overhead: every byte beyond each application packet's first copy.</p>
${metaList(parts.meta, parts.runs)}
<h2>Headline</h2>
<p class="note">Per scenario, the strategy with the lowest median outage and the one with the lowest median excess RTT
(ties joined by =), with what it spends. The all-knowing oracle is the lower bound, not a contender.</p>
${headlineTable(parts.headlines)}
<h2>Outage against overhead</h2>
<p class="note">Pantheon-style: down is fewer outage milliseconds, left is fewer overhead bytes per second; big dots are
medians over seeds, faint dots single seeds (both axes symlog).</p>
${parts.legend}
<div class="grid">${parts.scatter.map((s) => `<figure>${s}</figure>`).join('')}</div>
<h2>Timelines</h2>
<p class="note">First seed of each scenario: the best path (ground truth) on the first row, then the path each strategy's
data took; red bars are runs of lost probes, black ticks endpoint switches.</p>
${parts.timelines.map((s) => `<figure>${s}</figure>`).join('')}
<h2>Distributions</h2>
${parts.legend}
<div class="grid">${parts.cdfs.map((s) => `<figure>${s}</figure>`).join('')}</div>
<h2>Choices: loss × RTT difference</h2>
<p class="note">isp1 (20 ms) starts losing packets at 3 s; isp2 is slower or faster by the column's milliseconds. Each
cell: share of the remaining time the data took isp2 (one seed, 10 Hz probe stream). The first panel is the ground
truth's answer.</p>
<div class="grid">${parts.grid.map((s) => `<figure>${s}</figure>`).join('')}</div>
<h2>Tables</h2>
${scenarios.map((s) => scenarioTable(s, parts.cells)).join('')}
<h2>Scenarios</h2><dl>${descriptions}</dl>
<h2>Strategies</h2><dl>${strategies}</dl>
</body></html>
`;
}
