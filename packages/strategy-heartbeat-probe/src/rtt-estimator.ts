/**
 * Round-trip time of one path: RFC 6298 §2 smoothed RTT and RTT variation (α = 1/8, β = 1/4)
 * and a windowed minimum (the path's propagation delay without queueing: what the score
 * compares, as BBR and QUIC's min_rtt do). Samples come from PONGs and handshakes.
 *
 * @example
 * ```ts
 * const rtt = new RttEstimator(30_000);
 * rtt.sample(20, 0);
 * rtt.sample(30, 1_000);
 * rtt.smoothed; // 21.25
 * rtt.minimum(1_000); // 20
 * ```
 */

/** RFC 6298 §2.3: α = 1/8. */
const ALPHA = 1 / 8;
/** RFC 6298 §2.3: β = 1/4. */
const BETA = 1 / 4;
/** RFC 6298 §2.1: the RTO before any sample, 1 s. */
export const INITIAL_TIMEOUT = 1_000;
/** Samples kept for the windowed minimum (a PING every 5 s fills 30 s with 6; a busy SUSPECT phase more). */
const KEPT = 32;

export class RttEstimator {
  smoothed = 0;
  variation = 0;
  latest = 0;
  samples = 0;
  private readonly times = new Float64Array(KEPT);
  private readonly values = new Float64Array(KEPT);
  private next = 0;

  /** @param windowMs how far back the windowed minimum looks. */
  constructor(private readonly windowMs: number) {}

  sample(rttMs: number, now: number): void {
    if (!(rttMs >= 0) || !Number.isFinite(rttMs)) return;
    if (this.samples === 0) {
      // RFC 6298 §2.2: SRTT ← R, RTTVAR ← R/2.
      this.smoothed = rttMs;
      this.variation = rttMs / 2;
    } else {
      // RFC 6298 §2.3: RTTVAR first, with the old SRTT.
      this.variation = (1 - BETA) * this.variation + BETA * Math.abs(this.smoothed - rttMs);
      this.smoothed = (1 - ALPHA) * this.smoothed + ALPHA * rttMs;
    }
    this.latest = rttMs;
    this.samples++;
    this.times[this.next] = now;
    this.values[this.next] = rttMs;
    this.next = (this.next + 1) % KEPT;
  }

  /** The smallest sample within the window, else the latest; undefined before any sample. */
  minimum(now: number): number | undefined {
    if (this.samples === 0) return undefined;
    let best = Number.POSITIVE_INFINITY;
    const kept = Math.min(this.samples, KEPT);
    for (let i = 0; i < kept; i++) {
      if (now - this.times[i]! <= this.windowMs && this.values[i]! < best) best = this.values[i]!;
    }
    return best === Number.POSITIVE_INFINITY ? this.latest : best;
  }

  /** max(2·SRTT + 4·RTTVAR, floor), or `fallback` before any sample (DESIGN.md, heartbeat-probe "Timing"). */
  timeout(floorMs: number, fallback = INITIAL_TIMEOUT): number {
    if (this.samples === 0) return Math.max(fallback, floorMs);
    return Math.max(2 * this.smoothed + 4 * this.variation, floorMs);
  }
}
