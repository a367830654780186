/**
 * Everything the device keeps about one peer (whitepaper §5 and §6): its handshake state, the
 * current/previous/next keypairs, packets staged while a handshake is pending, its timers as
 * absolute deadlines, its endpoint set and the strategy that chooses among them.
 */
import type { HandshakePeer } from '@pathwire/noise';
import type { StrategyEvent, StrategyV1 } from '@pathwire/strategy';
import type { Keypair } from '@pathwire/transport';
import { PROBE_TIMEOUT } from './constants.js';
import type { EndpointRecord, EndpointSet } from './endpoint-set.js';
import type { Schedulable } from './timer-queue.js';

/** An initiation copy a strategy asked to send later (handshake race head start). */
export interface PendingCopy {
  readonly at: number;
  readonly endpoint: string;
  readonly localIndex: number;
  readonly message: Uint8Array;
}

export class Peer implements Schedulable {
  timerGeneration = 0;
  active: EndpointRecord | undefined;
  current: Keypair | undefined;
  previous: Keypair | undefined;
  /** Responder side: the new keypair, used for sending only after the initiator used it (§5.4.5). */
  next: Keypair | undefined;
  readonly staged: Uint8Array[] = [];
  persistentKeepaliveMs = 0;

  // Timers: absolute deadlines on the engine clock, undefined when not armed (whitepaper §6.1).
  retransmitAt: number | undefined;
  keepaliveAt: number | undefined;
  newHandshakeAt: number | undefined;
  zeroKeysAt: number | undefined;
  persistentKeepaliveAt: number | undefined;
  strategyWakeAt: number | undefined;
  pendingCopies: PendingCopy[] = [];

  handshakeAttempts = 0;
  lastInitiationSentAt = Number.NEGATIVE_INFINITY;
  /** Local index of the initiation in flight. */
  initiationIndex: number | undefined;
  lastAuthenticatedAt: number | undefined;
  unansweredSince: number | undefined;
  /** Wall-clock time (Unix ms) of the last completed handshake, for `wg show`. */
  lastHandshakeWallClock: number | undefined;
  rxBytes = 0;
  txBytes = 0;
  readonly authenticatedEventAt = new Map<string, number>();
  readonly probes = new Map<number, { endpoint: string; sentAt: number }>();
  probeSupport: 'unknown' | 'yes' | 'no' = 'unknown';
  /** Events for the strategy, handed to it when the current input is done (no re-entrancy). */
  readonly strategyInbox: StrategyEvent[] = [];
  /** A `handshake-needed` is queued: the initiation leaves when the strategy has answered. */
  handshakeQueued = false;
  /** Wall-clock ms of the TAI64N timestamp in our last initiation (they only go forward). */
  lastTimestampMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly publicKey: Uint8Array,
    readonly publicKeyText: string,
    public handshake: HandshakePeer,
    readonly endpoints: EndpointSet,
    public strategy: StrategyV1,
  ) {}

  /** The deadline the device's timer queue holds for this peer. */
  scheduledAt: number | undefined;

  /** The earliest armed deadline (no allocation: it runs after every packet). */
  nextDeadline(): number | undefined {
    let next = earliest(Number.POSITIVE_INFINITY, this.retransmitAt);
    next = earliest(next, this.keepaliveAt);
    next = earliest(next, this.newHandshakeAt);
    next = earliest(next, this.zeroKeysAt);
    next = earliest(next, this.persistentKeepaliveAt);
    next = earliest(next, this.strategyWakeAt);
    next = earliest(next, this.pendingCopies[0]?.at);
    if (this.probes.size > 0)
      for (const probe of this.probes.values()) next = earliest(next, probe.sentAt + PROBE_TIMEOUT);
    return next === Number.POSITIVE_INFINITY ? undefined : next;
  }
}

function earliest(current: number, candidate: number | undefined): number {
  return candidate !== undefined && candidate < current ? candidate : current;
}
