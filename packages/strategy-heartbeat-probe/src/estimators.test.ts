import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hysteresis } from './hysteresis.js';
import { LossEstimator, RECENT_OUTCOMES } from './loss-estimator.js';
import { RttEstimator } from './rtt-estimator.js';
import { beatsByMargin, score } from './score.js';

describe('RTT estimator (RFC 6298 §2)', () => {
  it('first sample: SRTT = R, RTTVAR = R/2; then RTTVAR with the old SRTT, α = 1/8, β = 1/4', () => {
    const rtt = new RttEstimator(30_000);
    rtt.sample(100, 0);
    expect([rtt.smoothed, rtt.variation]).toEqual([100, 50]);
    rtt.sample(200, 1);
    // RTTVAR = 3/4·50 + 1/4·|100 − 200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5
    expect([rtt.smoothed, rtt.variation]).toEqual([112.5, 62.5]);
  });

  it('timeout is max(2·SRTT + 4·RTTVAR, floor), and the fallback before any sample', () => {
    const rtt = new RttEstimator(30_000);
    expect(rtt.timeout(100)).toBe(1_000);
    expect(rtt.timeout(100, 250)).toBe(250);
    rtt.sample(10, 0);
    expect(rtt.timeout(100)).toBe(100); // 2·10 + 4·5 = 40 < floor
    rtt.sample(10, 1);
    rtt.sample(10, 2);
    expect(rtt.timeout(1)).toBeCloseTo(2 * rtt.smoothed + 4 * rtt.variation);
  });

  it('windowed minimum forgets samples older than the window (an RTT jump shows)', () => {
    const rtt = new RttEstimator(30_000);
    rtt.sample(10, 0);
    rtt.sample(50, 20_000);
    expect(rtt.minimum(25_000)).toBe(10);
    expect(rtt.minimum(31_000)).toBe(50);
    expect(rtt.minimum(60_000)).toBe(50); // nothing in the window: the latest
  });

  it('ignores impossible samples', () => {
    const rtt = new RttEstimator(30_000);
    rtt.sample(Number.NaN, 0);
    rtt.sample(-1, 0);
    rtt.sample(Number.POSITIVE_INFINITY, 0);
    expect(rtt.samples).toBe(0);
    expect(rtt.minimum(0)).toBeUndefined();
  });

  it('SRTT stays between the smallest and largest sample (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 5_000, noNaN: true }), { minLength: 1 }), (samples) => {
        const rtt = new RttEstimator(30_000);
        for (const [i, sample] of samples.entries()) rtt.sample(sample, i);
        expect(rtt.smoothed).toBeGreaterThanOrEqual(Math.min(...samples) - 1e-9);
        expect(rtt.smoothed).toBeLessThanOrEqual(Math.max(...samples) + 1e-9);
        expect(rtt.variation).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('loss estimator', () => {
  it('recent window of the last 16 outcomes; the estimate is max(recent, slow)', () => {
    const loss = new LossEstimator();
    for (let i = 0; i < RECENT_OUTCOMES; i++) loss.outcome(i % 4 === 0);
    expect(loss.recent).toBe(0.25);
    expect(loss.value).toBe(0.25);
    for (let i = 0; i < RECENT_OUTCOMES; i++) loss.outcome(false);
    expect(loss.recent).toBe(0);
    expect(loss.slow).toBeGreaterThan(0); // the slow average remembers
    expect(loss.value).toBe(loss.slow);
  });

  it('revoking the latest loss (a late PONG) makes it an answer', () => {
    const loss = new LossEstimator();
    loss.outcome(false);
    loss.outcome(true);
    loss.revokeLatestLoss();
    const twin = new LossEstimator();
    twin.outcome(false);
    twin.outcome(false);
    expect(loss.recent).toBe(0);
    expect(loss.slow).toBeCloseTo(twin.slow);
  });

  it('splits loss by direction from the PONG receive counts', () => {
    const loss = new LossEstimator();
    // 10 PINGs sent, the peer got 7 (30 % forward loss); all 7 PONGs came back.
    loss.counts(0, 0);
    loss.counts(7, 10);
    expect(loss.forward).toBeCloseTo(0.3);
    for (let i = 0; i < 10; i++) loss.outcome(i >= 7);
    expect(loss.reverse).toBeCloseTo(0);
  });

  it('stays within [0, 1] (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean()), (outcomes) => {
        const loss = new LossEstimator();
        for (const lost of outcomes) loss.outcome(lost);
        expect(loss.value).toBeGreaterThanOrEqual(0);
        expect(loss.value).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('score and margin', () => {
  const weights = { rttvarWeight: 1, lossWeightMs: 1_000 };
  const margins = { switchMargin: 0.15, switchMarginMinMs: 5 };

  it('adds RTT variation and weighted loss to the windowed minimum', () => {
    expect(score({ minRttMs: 20, rttvarMs: 2, loss: 0.3 }, weights)).toBe(322);
    expect(score({ minRttMs: undefined, rttvarMs: 0, loss: 0 }, weights)).toBe(Number.POSITIVE_INFINITY);
  });

  it('a 30 % lossy path loses to a clean one 10× farther away', () => {
    const lossy = score({ minRttMs: 10, rttvarMs: 1, loss: 0.3 }, weights);
    const far = score({ minRttMs: 100, rttvarMs: 5, loss: 0 }, weights);
    expect(beatsByMargin(far, lossy, margins)).toBe(true);
  });

  it('needs both ≥ 15 % and ≥ 5 ms', () => {
    expect(beatsByMargin(85, 100, margins)).toBe(true);
    expect(beatsByMargin(86, 100, margins)).toBe(false); // 14 %
    expect(beatsByMargin(8, 10, margins)).toBe(false); // 20 % but 2 ms
    expect(beatsByMargin(Number.POSITIVE_INFINITY, 10, margins)).toBe(false);
    expect(beatsByMargin(10, Number.POSITIVE_INFINITY, margins)).toBe(true);
  });
});

describe('hysteresis', () => {
  const options = { switchChecks: 3, switchSustainMs: 15_000, switchIntervalMs: 30_000 };

  it('switches after enough consecutive checks over the sustain time', () => {
    const h = new Hysteresis(options);
    expect(h.compare('b', true, 0)).toBe(false);
    expect(h.compare('b', true, 5_000)).toBe(false);
    expect(h.compare('b', true, 10_000)).toBe(false); // 3 checks but 10 s
    expect(h.compare('b', true, 15_000)).toBe(true);
  });

  it('one comparison that does not hold, or another candidate, starts over', () => {
    const h = new Hysteresis(options);
    h.compare('b', true, 0);
    h.compare('b', true, 10_000);
    expect(h.compare('b', false, 12_000)).toBe(false);
    expect(h.compare('b', true, 15_000)).toBe(false);
    h.compare('c', true, 20_000);
    expect(h.compare('b', true, 40_000)).toBe(false);
    expect(h.checks).toBe(1);
  });

  it('waits switch-interval after the previous switch', () => {
    const h = new Hysteresis(options);
    h.switched(0);
    h.compare('b', true, 1_000);
    h.compare('b', true, 8_000);
    expect(h.compare('b', true, 16_000)).toBe(false); // 15 s sustained, but 16 s since the switch
    expect(h.compare('b', true, 30_000)).toBe(true);
  });
});
