/** Round-trip time estimation as in RFC 6298 §2 (SRTT with α = 1/8), plus latest and minimum. */
import type { RoundTripTime } from './v1/endpoint-view.js';

const ALPHA = 1 / 8;

export function updateRtt(previous: RoundTripTime | undefined, sampleMs: number): RoundTripTime {
  if (!previous) return { latest: sampleMs, smoothed: sampleMs, minimum: sampleMs, samples: 1 };
  return {
    latest: sampleMs,
    smoothed: previous.smoothed + ALPHA * (sampleMs - previous.smoothed),
    minimum: Math.min(previous.minimum, sampleMs),
    samples: previous.samples + 1,
  };
}

/** Exponentially weighted loss estimate in [0, 1]: each answered or missed probe/handshake moves it by 1/8. */
export function updateLoss(previous: number, lost: boolean): number {
  return previous + ALPHA * ((lost ? 1 : 0) - previous);
}
