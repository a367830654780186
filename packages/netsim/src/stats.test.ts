import { describe, expect, it } from 'vitest';
import {
  deliveryRatio,
  latencySummary,
  longestGap,
  longestOutage,
  outageAround,
  percentile,
} from './stats.js';
import type { DeliveryRecord } from './traffic.js';

/** 20 packets every 10 ms, latency 5 ms; lost: 3, 4 (a short run) and 10..14 (the long one). */
function constructed(): DeliveryRecord[] {
  const lost = new Set([3, 4, 10, 11, 12, 13, 14]);
  return Array.from({ length: 20 }, (_, seq) => {
    const sentAt = seq * 10;
    return lost.has(seq) ? { seq, sentAt } : { seq, sentAt, deliveredAt: sentAt + 5 };
  });
}

describe('summaries on a constructed case', () => {
  it('delivery ratio and latency', () => {
    const rs = constructed();
    expect(deliveryRatio(rs)).toBe(13 / 20);
    expect(deliveryRatio([])).toBe(0);
    expect(latencySummary(rs)).toEqual({ count: 13, min: 5, mean: 5, p50: 5, p90: 5, p99: 5, max: 5 });
    expect(Number.isNaN(latencySummary([]).p50)).toBe(true);
  });

  it('nearest-rank percentiles', () => {
    const v = [15, 20, 35, 40, 50];
    expect([
      percentile(v, 0),
      percentile(v, 30),
      percentile(v, 40),
      percentile(v, 50),
      percentile(v, 100),
    ]).toEqual([15, 20, 20, 35, 50]);
  });

  it('longest gap at the receiver', () => {
    expect(longestGap(constructed())).toEqual({ from: 95, to: 155, duration: 60 });
  });

  it('longest outage in send time', () => {
    expect(longestOutage(constructed())).toEqual({
      from: 100,
      to: 150,
      duration: 50,
      lost: 5,
      recoveredAt: 155,
    });
  });

  it('outage around a fault time', () => {
    const rs = constructed();
    expect(outageAround(rs, 25)).toEqual({ from: 30, to: 50, duration: 20, lost: 2, recoveredAt: 55 });
    // a fault inside the run reports the whole run
    expect(outageAround(rs, 120)).toMatchObject({ from: 100, lost: 5 });
    expect(outageAround(rs, 151)).toBeUndefined();
  });

  it('an outage that never recovers', () => {
    const rs: DeliveryRecord[] = [
      { seq: 0, sentAt: 0, deliveredAt: 1 },
      { seq: 1, sentAt: 10 },
      { seq: 2, sentAt: 20 },
    ];
    expect(longestOutage(rs)).toEqual({
      from: 10,
      to: undefined,
      duration: 10,
      lost: 2,
      recoveredAt: undefined,
    });
  });
});
