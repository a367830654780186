/**
 * The score of a path (lower is better) and the margin a standby must beat a working active
 * path by (DESIGN.md, heartbeat-probe "Choosing"). The score is in milliseconds:
 *
 *   score = windowed minimum RTT + rttvar-weight · RTTVAR + loss-weight · loss
 *
 * so 30 % loss costs 300 ms at the default weight (a lossy path loses to any clean one a
 * continent away), and jitter costs what it costs an interactive flow. Tailscale's betterAddr
 * compares latency in percent with a 1 % dead band and bonuses by address kind; pathwire uses
 * a wider band (≥ 15 % and ≥ 5 ms, and more than the paths' RTT variation) because it also
 * counts loss, and makes the comparison hold for a while before acting (see `Hysteresis`).
 *
 * @example
 * ```ts
 * score({ minRttMs: 20, rttvarMs: 2, loss: 0.1 }, { rttvarWeight: 1, lossWeightMs: 1000 }); // 122
 * beatsByMargin(80, 100, { switchMargin: 0.15, switchMarginMinMs: 5 }); // true
 * ```
 */

export interface PathMeasure {
  /** Windowed minimum RTT, ms (undefined: never measured). */
  readonly minRttMs: number | undefined;
  readonly rttvarMs: number;
  /** Loss estimate in [0, 1]. */
  readonly loss: number;
}

export interface ScoreWeights {
  readonly rttvarWeight: number;
  readonly lossWeightMs: number;
}

export interface Margins {
  readonly switchMargin: number;
  readonly switchMarginMinMs: number;
}

/** Milliseconds, lower is better; Infinity for a path never measured. */
export function score(measure: PathMeasure, weights: ScoreWeights): number {
  if (measure.minRttMs === undefined) return Number.POSITIVE_INFINITY;
  return measure.minRttMs + weights.rttvarWeight * measure.rttvarMs + weights.lossWeightMs * measure.loss;
}

/**
 * Whether `candidate` beats `incumbent` by the relative AND the absolute margin, and by more than
 * `noiseMs` (the two paths' RTT variation together: a difference within the jitter is noise,
 * and two jittery near-equal paths would otherwise trade places on every lucky sample).
 */
export function beatsByMargin(candidate: number, incumbent: number, margins: Margins, noiseMs = 0): boolean {
  if (!Number.isFinite(candidate)) return false;
  if (!Number.isFinite(incumbent)) return true;
  return (
    candidate <= incumbent * (1 - margins.switchMargin) &&
    incumbent - candidate >= Math.max(margins.switchMarginMinMs, noiseMs)
  );
}
