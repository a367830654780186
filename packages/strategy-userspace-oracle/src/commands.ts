/**
 * What the daemon's oracle server passes to a peer's `userspace-oracle` strategy as a v1
 * `command` event (packages/strategy README, "command"), and what the strategy reports back.
 * Times are engine times (ms), as `context.now`.
 */
import type { LeaseEndReason, SelectMode } from './protocol/messages.js';

export type OracleCommand =
  /** Obey the writer until `until`: `prefer` (active unless DOWN) or `pin` (active regardless). */
  | {
      readonly op: 'select';
      readonly endpoint: string;
      readonly mode: Exclude<SelectMode, 'advise'>;
      readonly until: number;
    }
  /** The lease ended early: the fallback strategy owns the peer again. */
  | { readonly op: 'release'; readonly reason: LeaseEndReason }
  /** Measure this endpoint: in-band probe (pathwire peer) or a handshake initiation (stock peer). */
  | { readonly op: 'probe'; readonly endpoint: string };

/** What the strategy tells the oracle server (synchronously, from inside `handle`). */
export type OracleNotice =
  | {
      readonly type: 'probe-result';
      readonly endpoint: string;
      readonly via: 'probe' | 'handshake';
      readonly rttMs: number | null;
      readonly error?: string;
    }
  /** The strategy is about to activate `endpoint`; `cause` says on whose behalf. */
  | { readonly type: 'activating'; readonly endpoint: string; readonly cause: 'oracle' | 'fallback' }
  /** The lease ended on the strategy's own clock (it expired while the server's timer was late). */
  | { readonly type: 'lease-ended'; readonly reason: LeaseEndReason };

/** Reads a `command` event's payload; anything else is undefined (and ignored). */
export function readCommand(value: unknown): OracleCommand | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  switch (c.op) {
    case 'select':
      return typeof c.endpoint === 'string' &&
        (c.mode === 'prefer' || c.mode === 'pin') &&
        Number.isFinite(c.until)
        ? { op: 'select', endpoint: c.endpoint, mode: c.mode, until: c.until as number }
        : undefined;
    case 'release':
      return typeof c.reason === 'string' ? { op: 'release', reason: c.reason as LeaseEndReason } : undefined;
    case 'probe':
      return typeof c.endpoint === 'string' ? { op: 'probe', endpoint: c.endpoint } : undefined;
    default:
      return undefined;
  }
}
