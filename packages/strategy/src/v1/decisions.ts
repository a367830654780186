/** Decisions a strategy returns to the engine (DESIGN.md, "The strategy contract"). */

export interface InitiationTarget {
  /** Endpoint key. */
  readonly endpoint: string;
  /** Delay after the first copy, ms (0 for the first). Every copy carries the identical bytes. */
  readonly delayMs: number;
}

export type StrategyDecision =
  /** Send data to this endpoint from now on. */
  | { readonly type: 'activate'; readonly endpoint: string }
  /**
   * Send one handshake initiation to these endpoints at these offsets. Outside a
   * `handshake-needed` event this starts a handshake, within the engine's initiation rate limit.
   */
  | { readonly type: 'initiate'; readonly targets: readonly InitiationTarget[] }
  /** Send an in-band probe via this endpoint (answered only by pathwire peers). */
  | { readonly type: 'probe'; readonly endpoint: string }
  /** Deliver a `timer` event at this time (ms); the latest `wake` replaces earlier ones. */
  | { readonly type: 'wake'; readonly at: number };
