/**
 * Everything the device keeps about one peer (whitepaper §5 and §6): its handshake state, the
 * current/previous/next keypairs, packets staged while a handshake is pending, its timers as
 * absolute deadlines, its endpoint set and the strategy that chooses among them.
 */
import type { HandshakePeer } from '@pathwire/noise';
import type { StrategyV1 } from '@pathwire/strategy';
import type { Keypair } from '@pathwire/transport';
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

  constructor(
    readonly publicKey: Uint8Array,
    readonly publicKeyText: string,
    public handshake: HandshakePeer,
    readonly endpoints: EndpointSet,
    public strategy: StrategyV1,
  ) {}

  /** The earliest armed deadline. */
  nextDeadline(): number | undefined {
    let next = Number.POSITIVE_INFINITY;
    for (const at of [
      this.retransmitAt,
      this.keepaliveAt,
      this.newHandshakeAt,
      this.zeroKeysAt,
      this.persistentKeepaliveAt,
      this.strategyWakeAt,
      this.pendingCopies[0]?.at,
    ]) {
      if (at !== undefined && at < next) next = at;
    }
    for (const probe of this.probes.values()) next = Math.min(next, probe.sentAt + 3_000);
    return next === Number.POSITIVE_INFINITY ? undefined : next;
  }
}
