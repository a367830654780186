/**
 * When to leave a WORKING active path for a better standby (DESIGN.md, heartbeat-probe
 * "Choosing"): the same standby must beat the active path by the margin at `switch-checks`
 * consecutive comparisons spread over at least `switch-sustain`, and the previous switch must be
 * `switch-interval` ago. One comparison that does not hold starts over. Fail-over from a DOWN
 * path does not come through here: it is immediate.
 *
 * @example
 * ```ts
 * const h = new Hysteresis({ switchChecks: 3, switchSustainMs: 15_000, switchIntervalMs: 30_000 });
 * h.compare('b', true, 0); h.compare('b', true, 8_000); // false, false
 * h.compare('b', true, 15_000); // true: switch to b
 * ```
 */

export interface HysteresisOptions {
  readonly switchChecks: number;
  readonly switchSustainMs: number;
  readonly switchIntervalMs: number;
}

export class Hysteresis {
  candidate: string | undefined;
  since = 0;
  checks = 0;
  lastSwitchAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: HysteresisOptions) {}

  /**
   * One comparison at `now`: `better` says whether `candidate` (the best standby) beats the
   * active path by the margin. Returns true when it is time to switch to it.
   */
  compare(candidate: string | undefined, better: boolean, now: number): boolean {
    if (!better || candidate === undefined) {
      this.reset();
      return false;
    }
    if (candidate !== this.candidate) {
      this.candidate = candidate;
      this.since = now;
      this.checks = 0;
    }
    this.checks++;
    return (
      this.checks >= this.options.switchChecks &&
      now - this.since >= this.options.switchSustainMs &&
      now - this.lastSwitchAt >= this.options.switchIntervalMs
    );
  }

  /** A switch happened (by hysteresis or fail-over): the comparison starts over. */
  switched(now: number): void {
    this.lastSwitchAt = now;
    this.reset();
  }

  reset(): void {
    this.candidate = undefined;
    this.checks = 0;
  }
}
