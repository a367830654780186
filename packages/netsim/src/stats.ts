/**
 * Summaries of generator records: delivery ratio, latency percentiles, the longest silence
 * at the receiver, and outages (runs of lost packets), overall or around a fault time.
 * Records not delivered by the end of the run count as lost: run past a flow's stop.
 */
import type { DeliveryRecord } from './traffic.js';

/** Delivered / sent; 0 when nothing was sent. */
export function deliveryRatio(records: readonly DeliveryRecord[]): number {
  if (records.length === 0) return 0;
  let delivered = 0;
  for (const r of records) if (r.deliveredAt !== undefined) delivered++;
  return delivered / records.length;
}

/** `deliveredAt - sentAt` of every delivered record, in record order. */
export function latencies(records: readonly DeliveryRecord[]): number[] {
  const out: number[] = [];
  for (const r of records) if (r.deliveredAt !== undefined) out.push(r.deliveredAt - r.sentAt);
  return out;
}

/** Nearest-rank percentile (p in [0, 100]) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Latency (flow) or RTT (ping) summary over delivered records; NaN fields when none. */
export function latencySummary(records: readonly DeliveryRecord[]): LatencySummary {
  const values = latencies(records).sort((a, b) => a - b);
  const n = values.length;
  const at = (p: number) =>
    n === 0 ? Number.NaN : values[Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1]!;
  let total = 0;
  for (const v of values) total += v;
  return {
    count: n,
    min: n === 0 ? Number.NaN : values[0]!,
    mean: n === 0 ? Number.NaN : total / n,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: n === 0 ? Number.NaN : values[n - 1]!,
  };
}

export interface Gap {
  /** Delivery time before the gap. */
  from: number;
  /** Delivery time after the gap. */
  to: number;
  duration: number;
}

/** The longest time between two consecutive deliveries (the receiver's longest silence). */
export function longestGap(records: readonly DeliveryRecord[]): Gap | undefined {
  const times: number[] = [];
  for (const r of records) if (r.deliveredAt !== undefined) times.push(r.deliveredAt);
  times.sort((a, b) => a - b);
  let best: Gap | undefined;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (!best || d > best.duration) best = { from: times[i - 1]!, to: times[i]!, duration: d };
  }
  return best;
}

export interface Outage {
  /** Send time of the first lost packet of the run. */
  from: number;
  /** Send time of the first packet delivered after the run; undefined if none was. */
  to: number | undefined;
  /** `to - from`; if never recovered, last send time - `from`. */
  duration: number;
  /** Packets lost in the run. */
  lost: number;
  /** When the first packet after the run was delivered; undefined if none was. */
  recoveredAt: number | undefined;
}

/** Records in send order (generators already produce them so; this copes with any input). */
function bySendTime(records: readonly DeliveryRecord[]): readonly DeliveryRecord[] {
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.sentAt < records[i - 1]!.sentAt) return [...records].sort((a, b) => a.sentAt - b.sentAt);
  }
  return records;
}

function outageFrom(records: readonly DeliveryRecord[], first: number): Outage {
  let i = first;
  while (i < records.length && records[i]!.deliveredAt === undefined) i++;
  const from = records[first]!.sentAt;
  const next = records[i];
  return {
    from,
    to: next?.sentAt,
    duration: (next ? next.sentAt : records[records.length - 1]!.sentAt) - from,
    lost: i - first,
    recoveredAt: next?.deliveredAt,
  };
}

/**
 * The longest run of consecutive lost packets (in send order); undefined if none was lost.
 * Its duration is measured between send times, so a single lost packet in a flow with
 * interval T gives an outage of T.
 */
export function longestOutage(records: readonly DeliveryRecord[]): Outage | undefined {
  const rs = bySendTime(records);
  let best: Outage | undefined;
  for (let i = 0; i < rs.length; i++) {
    if (rs[i]!.deliveredAt !== undefined) continue;
    const o = outageFrom(rs, i);
    if (!best || o.duration > best.duration || (o.duration === best.duration && o.lost > best.lost)) best = o;
    i += o.lost - 1;
  }
  return best;
}

/**
 * The outage a fault at time `t` caused: the run of lost packets that contains the first
 * packet sent at or after `t` and lost. Undefined if no packet sent from `t` on was lost.
 */
export function outageAround(records: readonly DeliveryRecord[], t: number): Outage | undefined {
  const rs = bySendTime(records);
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    if (r.sentAt < t || r.deliveredAt !== undefined) continue;
    let first = i;
    while (first > 0 && rs[first - 1]!.deliveredAt === undefined) first--;
    return outageFrom(rs, first);
  }
  return undefined;
}
