/**
 * Summaries for the report: nearest-rank percentiles (as netsim's `percentile`) and a percentile
 * bootstrap interval of the median (1,000 resamples from a seeded stream, so the report is
 * deterministic too). Past `BOOTSTRAP_MAX_N` values (a 10,000-seed sweep) the bootstrap would cost
 * minutes per cell; there the interval is the distribution-free one from order statistics
 * (ranks n/2 ∓ 1.96·√n/2), which the bootstrap of the median approaches anyway.
 */
import { percentile, Random } from '@pathwire/netsim';

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  /** 95 % bootstrap interval of the median. */
  readonly low: number;
  readonly high: number;
}

export const BOOTSTRAP_RESAMPLES = 1000;
export const BOOTSTRAP_MAX_N = 2000;

function seedOf(label: string): number {
  let h = 2166136261;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return h | 0;
}

/** Summary of `values` (NaN fields when empty); `label` seeds the bootstrap. */
export function summarize(values: readonly number[], label: string): Summary {
  const n = values.length;
  if (n === 0)
    return { n, median: Number.NaN, p90: Number.NaN, p99: Number.NaN, low: Number.NaN, high: Number.NaN };
  if (n > BOOTSTRAP_MAX_N) {
    const sorted = [...values].sort((a, b) => a - b);
    const half = 1.96 * Math.sqrt(n) * 0.5;
    return {
      n,
      median: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      low: sorted[Math.max(0, Math.floor(n / 2 - half) - 1)]!,
      high: sorted[Math.min(n - 1, Math.ceil(n / 2 + half) - 1)]!,
    };
  }
  const random = Random.fromSeed(seedOf(label));
  const medians: number[] = [];
  const sample = new Array<number>(n);
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(random.next() * n)]!;
    medians.push(percentile(sample, 50));
  }
  return {
    n,
    median: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    low: percentile(medians, 2.5),
    high: percentile(medians, 97.5),
  };
}
