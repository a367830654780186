/**
 * Events the engine gives a strategy (DESIGN.md, "The strategy contract"). Every event that
 * names an endpoint comes from authenticated traffic or from the local stack (send errors,
 * ICMP): no unauthenticated packet ever produces an event that could move the active endpoint.
 */

/** Why the engine wants a handshake. */
export type HandshakeReason =
  /** A packet is waiting and there is no usable session. */
  | 'staged-packet'
  /** REKEY_AFTER_TIME or REKEY_AFTER_MESSAGES reached while sending. */
  | 'rekey'
  /** REKEY_TIMEOUT passed without a response: the engine retries. */
  | 'retry'
  /** Data sent, nothing received for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT. */
  | 'keepalive-timeout'
  /** Persistent keepalive or an explicit request with no session. */
  | 'keepalive';

export type StrategyEvent =
  /** The strategy was attached to a peer (also after the endpoint set was first filled). */
  | { readonly type: 'start' }
  /**
   * The engine is about to send a handshake initiation. Answer with an `initiate` decision to
   * choose where (and when) its identical copies go; without one it goes to the active endpoint.
   */
  | { readonly type: 'handshake-needed'; readonly reason: HandshakeReason; readonly attempt: number }
  /**
   * A handshake completed via `endpoint`: as initiator, the first valid response came from it
   * (`rttMs` from the copy sent to it); as responder, the initiation came from it.
   */
  | {
      readonly type: 'handshake-complete';
      readonly endpoint: string;
      readonly role: 'initiator' | 'responder';
      readonly rttMs: number | undefined;
    }
  /** An authenticated data packet arrived from an endpoint that is not the active one (at most once a second per endpoint). */
  | { readonly type: 'authenticated-packet'; readonly endpoint: string }
  /** Sending to `endpoint` failed at once (e.g. ENETUNREACH: no route for that family). */
  | { readonly type: 'send-error'; readonly endpoint: string; readonly code: string }
  /** The local stack reported an ICMP error (unreachable) for datagrams to `endpoint`. */
  | { readonly type: 'icmp-error'; readonly endpoint: string; readonly code: string }
  /**
   * Data went out on the active endpoint at `since` and nothing authenticated has come back
   * since: the start of a possible outage (once per episode). Wake later to check.
   */
  | { readonly type: 'unanswered'; readonly endpoint: string; readonly since: number }
  /** The endpoint set changed (resolver update, learned endpoint, user). */
  | {
      readonly type: 'endpoints-changed';
      readonly added: readonly string[];
      readonly removed: readonly string[];
    }
  /** The user chose an endpoint (`wg set … endpoint`): it is active now; strategies may keep it or not. */
  | { readonly type: 'user-endpoint'; readonly endpoint: string }
  /**
   * An in-band probe sent via `endpoint` was answered. Engines that speak probe wire version 2
   * add the counts that split loss by direction: `peerReceived`, the probes the peer has received
   * on this path, and `sent`, the probes we had sent on it when this one left.
   */
  | {
      readonly type: 'probe-reply';
      readonly endpoint: string;
      readonly rttMs: number;
      readonly peerReceived?: number;
      readonly sent?: number;
    }
  /** A wake-up the strategy asked for is due. */
  | { readonly type: 'timer' }
  /** A command from outside the engine (e.g. the userspace oracle), passed through untouched. */
  | { readonly type: 'command'; readonly command: unknown };
