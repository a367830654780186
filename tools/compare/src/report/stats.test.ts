import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_MAX_N, summarize } from './stats.js';

describe('summaries', () => {
  it('give nearest-rank percentiles and a bootstrap interval around the median, deterministically', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    const s = summarize(values, 'x');
    expect([s.n, s.median, s.p90, s.p99]).toEqual([101, 50, 90, 99]);
    expect(s.low).toBeLessThan(50);
    expect(s.high).toBeGreaterThan(50);
    expect(s.low).toBeGreaterThan(35);
    expect(s.high).toBeLessThan(65);
    expect(summarize(values, 'x')).toEqual(s);
    expect(summarize([7, 7, 7], 'y')).toMatchObject({ median: 7, low: 7, high: 7 });
    expect(summarize([], 'z').median).toBeNaN();
  });

  it('switch to the order-statistic interval for very large samples, with a similar width', () => {
    const big = Array.from({ length: BOOTSTRAP_MAX_N + 1001 }, (_, i) => (i * 7919) % 3001);
    const s = summarize(big, 'big');
    expect(s.low).toBeLessThanOrEqual(s.median);
    expect(s.high).toBeGreaterThanOrEqual(s.median);
    expect(s.high - s.low).toBeLessThan(150);
  });
});
