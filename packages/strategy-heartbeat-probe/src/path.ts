/**
 * What heartbeat-probe knows about one endpoint (a "path"): its state, RTT and loss estimators,
 * the PINGs in flight, consecutive misses, and the DOWN history that makes a flapping path earn
 * its way back (DESIGN.md, heartbeat-probe "Timing" and "Choosing").
 *
 *   unknown ──PONG──▶ up ──miss──▶ suspect ──`down-after` misses / send error──▶ down
 *                     ▲  ◀──PONG──────┘                                         │
 *                     └──── `recover-pongs` · 2^(downs−1) consecutive PONGs ◀───┘
 */
import { LossEstimator } from './loss-estimator.js';
import type { HeartbeatProbeOptions } from './options.js';
import { RttEstimator } from './rtt-estimator.js';
import { score } from './score.js';

export type PathState = 'unknown' | 'up' | 'suspect' | 'down';

/** A PING in flight: when it left, when it counts as a miss, whether it was counted already. */
interface InFlight {
  readonly sentAt: number;
  readonly missAt: number;
  missed: boolean;
}

/** A PING still unanswered this long is lost for good (the engine's PROBE_TIMEOUT). */
export const PROBE_EXPIRY = 3_000;

export class Path {
  state: PathState = 'unknown';
  readonly rtt: RttEstimator;
  readonly loss = new LossEstimator();
  misses = 0;
  /** Times this path went DOWN (decays after `penalty-decay` UP). */
  downs = 0;
  /** Consecutive PONGs since it went DOWN. */
  recovering = 0;
  upSince: number | undefined;
  /** When it last went DOWN. */
  downAt: number | undefined;
  nextProbeAt: number | undefined;
  readonly inFlight: InFlight[] = [];
  sent = 0;
  answered = 0;
  missed = 0;

  constructor(
    readonly key: string,
    private readonly options: HeartbeatProbeOptions,
  ) {
    this.rtt = new RttEstimator(options.rttWindowMs);
  }

  /** Pongs needed to come back from DOWN now: `recover-pongs` doubled per earlier DOWN. */
  get pongsToRecover(): number {
    return this.options.recoverPongs * 2 ** Math.min(Math.max(this.downs - 1, 0), this.options.penaltyCap);
  }

  score(now: number): number {
    return score(
      { minRttMs: this.rtt.minimum(now), rttvarMs: this.rtt.variation, loss: this.loss.value },
      this.options,
    );
  }

  /** The miss timeout for a PING sent now. */
  probeTimeout(): number {
    return this.rtt.timeout(this.options.probeTimeoutFloorMs);
  }

  pinged(now: number): void {
    this.sent++;
    this.inFlight.push({ sentAt: now, missAt: now + this.probeTimeout(), missed: false });
  }

  /** A PONG (or HELLO_ACK) arrived: RTT sample, loss outcome, state. */
  pong(rttMs: number, now: number): void {
    this.answered++;
    // The engine measured `rttMs` from the PING's own send time: that names the PING answered.
    const sentAt = now - rttMs;
    let index = -1;
    for (let i = 0; i < this.inFlight.length; i++) {
      const distance = Math.abs(this.inFlight[i]!.sentAt - sentAt);
      if (index < 0 || distance < Math.abs(this.inFlight[index]!.sentAt - sentAt)) index = i;
    }
    const probe = index >= 0 ? this.inFlight.splice(index, 1)[0] : undefined;
    if (probe?.missed) this.loss.revokeLatestLoss();
    else this.loss.outcome(false);
    this.rtt.sample(rttMs, now);
    this.heard(now);
  }

  /** Anything authenticated from this path (a PONG, data, a handshake). */
  heard(now: number): void {
    this.misses = 0;
    if (this.state === 'down') {
      this.recovering++;
      if (this.recovering < this.pongsToRecover) return;
    }
    if (this.state !== 'up') this.upSince = now;
    this.state = 'up';
    this.recovering = 0;
    if (this.downs > 0 && this.upSince !== undefined && now - this.upSince >= this.options.penaltyDecayMs)
      this.downs = 0;
  }

  /** UP at once, whatever the penalty: every other path is DOWN too. */
  rescue(now: number): void {
    if (this.state !== 'down') return;
    this.state = 'up';
    this.recovering = 0;
    this.upSince = now;
  }

  /** PINGs whose timeout passed count as misses; returns true when the path just went DOWN. */
  expire(now: number): boolean {
    let wentDown = false;
    for (const probe of this.inFlight) {
      if (probe.missed || probe.missAt > now) continue;
      probe.missed = true;
      this.missed++;
      this.loss.outcome(true);
      wentDown = this.miss(now) || wentDown;
    }
    while (this.inFlight[0] && now - this.inFlight[0].sentAt >= PROBE_EXPIRY) this.inFlight.shift();
    return wentDown;
  }

  /** One miss (a PING unanswered in time, or a suspicion of the active path); true when it makes the path DOWN. */
  miss(now: number): boolean {
    this.misses++;
    if (this.state === 'down') {
      this.recovering = 0;
      return false;
    }
    if (this.misses >= this.options.downAfter) {
      this.goDown(now);
      return true;
    }
    this.state = 'suspect';
    return false;
  }

  goDown(now: number): void {
    if (this.state === 'down') return;
    this.state = 'down';
    this.downAt = now;
    this.downs++;
    this.recovering = 0;
    this.upSince = undefined;
  }

  /** The earliest PING miss deadline, if any. */
  nextMissAt(): number | undefined {
    let next: number | undefined;
    for (const probe of this.inFlight)
      if (!probe.missed && (next === undefined || probe.missAt < next)) next = probe.missAt;
    return next;
  }

  outstanding(): number {
    let count = 0;
    for (const probe of this.inFlight) if (!probe.missed) count++;
    return count;
  }

  describe(now: number): Record<string, unknown> {
    const round = (value: number | undefined) =>
      value === undefined ? undefined : Math.round(value * 10) / 10;
    return {
      state: this.state,
      srttMs: this.rtt.samples ? round(this.rtt.smoothed) : undefined,
      rttvarMs: this.rtt.samples ? round(this.rtt.variation) : undefined,
      minRttMs: round(this.rtt.minimum(now)),
      loss: Math.round(this.loss.value * 1000) / 1000,
      lossRecent: Math.round(this.loss.recent * 1000) / 1000,
      lossSlow: Math.round(this.loss.slow * 1000) / 1000,
      lossForward: this.loss.forward === undefined ? undefined : Math.round(this.loss.forward * 1000) / 1000,
      lossReverse: this.loss.reverse === undefined ? undefined : Math.round(this.loss.reverse * 1000) / 1000,
      score: Number.isFinite(this.score(now)) ? round(this.score(now)) : undefined,
      misses: this.misses,
      downs: this.downs,
      pongsToRecover: this.state === 'down' ? this.pongsToRecover - this.recovering : undefined,
      probes: { sent: this.sent, answered: this.answered, missed: this.missed },
      nextProbeInMs:
        this.nextProbeAt === undefined ? undefined : Math.max(0, Math.round(this.nextProbeAt - now)),
    };
  }
}
