/**
 * What a strategy sees of one endpoint of its peer (DESIGN.md, "The endpoint model"): where it
 * is, what kind of address it is, and the statistics the engine keeps for it.
 */

import type { Endpoint } from '@pathwire/ip';

/** A UDP destination; `address` is canonical (dotted quad, or RFC 5952 IPv6). From @pathwire/ip. */
export type { Endpoint };

/** unknown: never heard from; up: authenticated traffic recently; suspect: sent, no answer yet; down: failing. */
export type EndpointState = 'unknown' | 'up' | 'suspect' | 'down';

export interface RoundTripTime {
  /** Latest sample, ms. */
  readonly latest: number;
  /** Smoothed (RFC 6298 SRTT, α = 1/8), ms. */
  readonly smoothed: number;
  /** Minimum seen, ms. */
  readonly minimum: number;
  readonly samples: number;
}

export interface EndpointView {
  /** `192.0.2.1:51820` or `[2001:db8::1]:51820`: the identity of the endpoint in decisions. */
  readonly key: string;
  readonly endpoint: Endpoint;
  readonly family: 4 | 6;
  /** loopback, link-local, private, cgnat, documentation, global, … (from @pathwire/ip). */
  readonly addressClass: string;
  /** configured: from the config/resolver, never evicted; learned: source of an authenticated packet. */
  readonly origin: 'configured' | 'learned';
  /** Position in the configured candidate order (learned endpoints come after). */
  readonly order: number;
  readonly state: EndpointState;
  readonly lastSentAt: number | undefined;
  readonly lastReceivedAt: number | undefined;
  readonly rtt: RoundTripTime | undefined;
  /** Loss estimate in [0, 1] from handshake and probe answers (EWMA). */
  readonly loss: number;
  /** Send errors since the last successful receive, and the last one. */
  readonly sendErrors: number;
  readonly lastSendError: { readonly code: string; readonly at: number } | undefined;
}
