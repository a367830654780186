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
  /**
   * Send an in-band probe via this endpoint (answered only by pathwire peers). Until the peer
   * answered a HELLO the engine sends a HELLO, on the active endpoint only; `size` pads a PING
   * to that many payload bytes (capped at the MTU) to test the path MTU.
   */
  | { readonly type: 'probe'; readonly endpoint: string; readonly size?: number }
  /**
   * While set, every data packet sent on the active endpoint is also sent, byte for byte, to
   * `endpoint` (the receiver's replay window drops the second copy). Only for a peer that
   * answered a HELLO; without `endpoint` it stops. Used while the active path is suspect.
   */
  | { readonly type: 'duplicate'; readonly endpoint?: string }
  /** Deliver a `timer` event at this time (ms); the latest `wake` replaces earlier ones. */
  | { readonly type: 'wake'; readonly at: number };
