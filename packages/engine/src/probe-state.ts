/**
 * One peer's in-band probe state (the rules that use it are in `probe.ts`): whether the peer
 * answers probes, the requests in flight, the per-path anti-replay of received requests, the
 * rate limits both ways and where data is duplicated to.
 */
import {
  createProbeFields,
  PROBE_HELLO,
  PROBE_PING,
  PROBE_REPLY_LENGTH,
  PROBE_REQUEST_LENGTH,
  type ProbeFields,
  ProbeReplayGuard,
  replyType,
} from '@pathwire/strategy';
import type { EndpointRecord } from './endpoint-set.js';

/** Probes a second per peer, each way (sent, answered, stale-decrypted). SUSPECT pings 3 paths every 100 ms: 30/s. */
export const PROBE_RATE = 50;
/** Burst of the probe token buckets. */
export const PROBE_BURST = 25;
/** HELLOs unanswered (while the peer answered other traffic) before a peer counts as stock. */
export const HELLO_ATTEMPTS = 3;

/** A token bucket on the engine clock (ms). */
export class TokenBucket {
  private tokens: number;
  private at = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(now: number): boolean {
    if (this.at !== Number.NEGATIVE_INFINITY)
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A probe we sent and wait an answer for. */
export interface PendingProbe {
  readonly endpoint: string;
  readonly sentAt: number;
  readonly hello: boolean;
  /** Probes sent on this path when this one left (for the direction split). */
  readonly sent: number;
}

/** One peer's probe state (the engine keeps one per peer). */
export class PeerProbes {
  support: 'unknown' | 'yes' | 'no' = 'unknown';
  hellosUnanswered = 0;
  readonly pending = new Map<string, PendingProbe>();
  readonly guard = new ProbeReplayGuard();
  readonly sendBucket = new TokenBucket(PROBE_RATE, PROBE_BURST);
  readonly answerBucket = new TokenBucket(PROBE_RATE, PROBE_BURST);
  readonly staleBucket = new TokenBucket(PROBE_RATE, PROBE_BURST);
  /** Data on the active endpoint is also sent here (a `duplicate` decision), if set. */
  duplicateTo: EndpointRecord | undefined;
  /** Reused for every probe read. */
  readonly fields: ProbeFields = createProbeFields();

  /**
   * What may be sent via `record` now: a PING (pathwire peer), a HELLO (unknown peer, active
   * endpoint only), or why not.
   */
  admit(
    record: EndpointRecord,
    active: EndpointRecord | undefined,
    now: number,
  ): typeof PROBE_PING | typeof PROBE_HELLO | 'probe-refused' | 'probe-rate-limited' {
    if (this.support === 'no') return 'probe-refused';
    if (this.support === 'unknown' && record !== active) return 'probe-refused';
    if (!this.sendBucket.take(now)) return 'probe-rate-limited';
    return this.support === 'yes' ? PROBE_PING : PROBE_HELLO;
  }

  /** Records a request about to leave via `record`; returns its fields (path id, sequence, timestamp). */
  request(type: typeof PROBE_PING | typeof PROBE_HELLO, record: EndpointRecord, now: number): ProbeFields {
    const sequence = record.probeSequence++;
    record.probesSent++;
    this.pending.set(pendingKey(record.probePathId, sequence), {
      endpoint: record.key,
      sentAt: now,
      hello: type === PROBE_HELLO,
      sent: record.probesSent,
    });
    return {
      type,
      length: PROBE_REQUEST_LENGTH,
      pathId: record.probePathId,
      sequence,
      timestampUs: Math.max(0, Math.round(now * 1000)),
      received: 0,
      size: 0,
    };
  }

  /** The pending request a reply answers (and forgets it), if any. */
  answered(fields: ProbeFields): PendingProbe | undefined {
    const key = pendingKey(fields.pathId, fields.sequence);
    const pending = this.pending.get(key);
    if (pending) this.pending.delete(key);
    if (pending?.hello) this.hellosUnanswered = 0;
    return pending;
  }

  /** Fills `reply` for a request in `fields` that arrived with `size` payload bytes. */
  reply(fields: ProbeFields, size: number, reply: ProbeFields): ProbeFields {
    reply.type = replyType(fields.type === PROBE_HELLO ? PROBE_HELLO : PROBE_PING);
    reply.length = PROBE_REPLY_LENGTH;
    reply.pathId = fields.pathId;
    reply.sequence = fields.sequence;
    reply.timestampUs = fields.timestampUs;
    reply.received = this.guard.received(fields.pathId);
    reply.size = size;
    return reply;
  }

  /** The earliest time a pending probe times out, or +Infinity. */
  nextTimeout(timeoutMs: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const probe of this.pending.values())
      if (probe.sentAt + timeoutMs < next) next = probe.sentAt + timeoutMs;
    return next;
  }
}

function pendingKey(pathId: number, sequence: number): string {
  return `${pathId}/${sequence}`;
}
