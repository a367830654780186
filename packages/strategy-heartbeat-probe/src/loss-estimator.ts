/**
 * Loss of one path from probe outcomes: a recent window (the last 16 PINGs: reacts within a
 * minute at the standby interval, within seconds while suspect) and a slow average (EWMA,
 * 1/32 a sample: the path's long-run reputation). The estimate is the larger of the two, so a
 * path becomes bad quickly and good slowly. The PONG's receive count splits it by direction:
 * forward = PINGs that did not reach the peer, the rest was lost on the way back.
 *
 * @example
 * ```ts
 * const loss = new LossEstimator();
 * loss.outcome(true); loss.outcome(false);
 * loss.recent; // 0.5
 * ```
 */

/** Outcomes in the recent window. */
export const RECENT_OUTCOMES = 16;
/** Weight of one outcome in the slow average. */
const SLOW_ALPHA = 1 / 32;

export class LossEstimator {
  private readonly ring = new Uint8Array(RECENT_OUTCOMES);
  private count = 0;
  private next = 0;
  private lostInRing = 0;
  slow = 0;
  /** Forward (towards the peer) loss from the PONG receive counts, EWMA; undefined before two PONGs. */
  forward: number | undefined;
  private lastCounts: { peerReceived: number; sent: number } | undefined;

  outcome(lost: boolean): void {
    if (this.count === RECENT_OUTCOMES) this.lostInRing -= this.ring[this.next]!;
    else this.count++;
    this.ring[this.next] = lost ? 1 : 0;
    this.lostInRing += lost ? 1 : 0;
    this.next = (this.next + 1) % RECENT_OUTCOMES;
    this.slow += SLOW_ALPHA * ((lost ? 1 : 0) - this.slow);
  }

  /** Turns the latest loss back into an answer (a PONG arrived after its PING was counted lost). */
  revokeLatestLoss(): void {
    const latest = (this.next + RECENT_OUTCOMES - 1) % RECENT_OUTCOMES;
    if (this.count === 0 || this.ring[latest] !== 1) return;
    this.ring[latest] = 0;
    this.lostInRing--;
    // Undo the EWMA step of a loss and apply the step of an answer: s = (s' − α)/(1 − α) then s·(1 − α).
    this.slow = Math.max(0, this.slow - SLOW_ALPHA);
  }

  /** Counts from a PONG: the peer's PINGs received on this path, our PINGs sent on it. */
  counts(peerReceived: number, sent: number): void {
    const last = this.lastCounts;
    this.lastCounts = { peerReceived, sent };
    if (!last || sent <= last.sent || peerReceived < last.peerReceived) return;
    const sample = 1 - Math.min(1, (peerReceived - last.peerReceived) / (sent - last.sent));
    this.forward = this.forward === undefined ? sample : this.forward + (1 / 8) * (sample - this.forward);
  }

  get samples(): number {
    return this.count;
  }

  get recent(): number {
    return this.count === 0 ? 0 : this.lostInRing / this.count;
  }

  /** The estimate the score uses: max(recent, slow). */
  get value(): number {
    return Math.max(this.recent, this.slow);
  }

  /** Loss on the way back (PONGs), given the forward share; undefined without counts. */
  get reverse(): number | undefined {
    if (this.forward === undefined) return undefined;
    const delivered = 1 - this.value;
    const forwardDelivered = 1 - this.forward;
    return forwardDelivered <= 0 ? undefined : Math.max(0, 1 - delivered / forwardDelivered);
  }
}
