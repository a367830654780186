/**
 * A peer's endpoint set (DESIGN.md, "The endpoint model"): configured endpoints in candidate
 * order (from the config or the resolver, never evicted) plus learned ones (sources of
 * authenticated packets, bounded, least recently used evicted), each with the statistics
 * strategies read.
 */
import { classifyAddress, endpointKey } from '@pathwire/ip';
import {
  type Endpoint,
  type EndpointView,
  type RoundTripTime,
  updateLoss,
  updateRtt,
} from '@pathwire/strategy';
import { MAX_LEARNED_ENDPOINTS } from './constants.js';

/** The mutable record behind an `EndpointView`. */
export class EndpointRecord implements EndpointView {
  readonly key: string;
  readonly family: 4 | 6;
  readonly addressClass: string;
  origin: 'configured' | 'learned';
  order: number;
  lastSentAt: number | undefined;
  lastReceivedAt: number | undefined;
  rtt: RoundTripTime | undefined;
  loss = 0;
  sendErrors = 0;
  lastSendError: { code: string; at: number } | undefined;
  /** When an initiation copy was last sent here (for the handshake RTT), and its sender index. */
  initiationSentAt: number | undefined;
  /** The local address authenticated packets from this endpoint last arrived at (sticky source). */
  localAddress: string | undefined;
  /** Last use for LRU eviction of learned endpoints. */
  lastUsedAt = 0;

  constructor(
    readonly endpoint: Endpoint,
    origin: 'configured' | 'learned',
    order: number,
  ) {
    this.key = endpointKey(endpoint);
    this.family = endpoint.address.includes(':') ? 6 : 4;
    this.addressClass = classifyAddress(endpoint.address.split('%')[0]!)?.class ?? 'unknown';
    this.origin = origin;
    this.order = order;
  }

  get state(): EndpointView['state'] {
    if (this.sendErrors > 0) return 'down';
    if (this.lastReceivedAt === undefined) return this.lastSentAt === undefined ? 'unknown' : 'suspect';
    if (this.lastSentAt !== undefined && this.lastSentAt - this.lastReceivedAt > 15_000) return 'suspect';
    return 'up';
  }

  noteReceived(now: number): void {
    this.lastReceivedAt = now;
    this.lastUsedAt = now;
    this.sendErrors = 0;
  }

  noteSent(now: number): void {
    this.lastSentAt = now;
    this.lastUsedAt = now;
  }

  noteRtt(sampleMs: number): void {
    this.rtt = updateRtt(this.rtt, sampleMs);
    this.loss = updateLoss(this.loss, false);
  }

  noteLost(): void {
    this.loss = updateLoss(this.loss, true);
  }

  noteSendError(code: string, now: number): void {
    this.sendErrors++;
    this.lastSendError = { code, at: now };
  }
}

export interface EndpointSetChange {
  readonly added: string[];
  readonly removed: string[];
}

export class EndpointSet {
  private readonly records = new Map<string, EndpointRecord>();
  private ordered: EndpointRecord[] = [];

  constructor(private readonly maxLearned = MAX_LEARNED_ENDPOINTS) {}

  /** Configured endpoints first in their order, then learned ones by recency. */
  get list(): readonly EndpointRecord[] {
    return this.ordered;
  }

  get(key: string): EndpointRecord | undefined {
    return this.records.get(key);
  }

  get size(): number {
    return this.records.size;
  }

  /**
   * Replaces the configured endpoints (keeping statistics of those that stay). A configured
   * endpoint that disappears is kept as learned if it is `keep` (the active one), else removed.
   */
  setConfigured(endpoints: readonly Endpoint[], keep?: string): EndpointSetChange {
    const added: string[] = [];
    const removed: string[] = [];
    const wanted = new Set<string>();
    endpoints.forEach((endpoint, order) => {
      const key = endpointKey(endpoint);
      if (wanted.has(key)) return;
      wanted.add(key);
      const existing = this.records.get(key);
      if (existing) {
        existing.origin = 'configured';
        existing.order = order;
      } else {
        this.records.set(key, new EndpointRecord(endpoint, 'configured', order));
        added.push(key);
      }
    });
    for (const [key, record] of this.records) {
      if (record.origin !== 'configured' || wanted.has(key)) continue;
      if (key === keep) {
        record.origin = 'learned';
        record.order = Number.MAX_SAFE_INTEGER;
      } else {
        this.records.delete(key);
        removed.push(key);
      }
    }
    this.reorder();
    return { added, removed };
  }

  /**
   * Records the source of an authenticated packet. Returns the record and the change (a new
   * learned endpoint, possibly evicting the least recently used learned one other than `keep`).
   */
  learn(
    endpoint: Endpoint,
    now: number,
    keep?: string,
  ): { record: EndpointRecord; change: EndpointSetChange | undefined } {
    const key = endpointKey(endpoint);
    const existing = this.records.get(key);
    if (existing) return { record: existing, change: undefined };
    const record = new EndpointRecord(endpoint, 'learned', Number.MAX_SAFE_INTEGER);
    record.lastUsedAt = now;
    this.records.set(key, record);
    const removed: string[] = [];
    const kept = keep === undefined ? undefined : this.records.get(keep);
    const keptIsLearned = kept !== undefined && kept.origin === 'learned' && kept !== record ? 1 : 0;
    const learned = [...this.records.values()].filter(
      (r) => r.origin === 'learned' && r.key !== keep && r !== record,
    );
    while (learned.length > 0 && learned.length + 1 + keptIsLearned > this.maxLearned) {
      learned.sort((a, b) => a.lastUsedAt - b.lastUsedAt);
      const victim = learned.shift()!;
      this.records.delete(victim.key);
      removed.push(victim.key);
    }
    this.reorder();
    return { record, change: { added: [key], removed } };
  }

  private reorder(): void {
    this.ordered = [...this.records.values()].sort(
      (a, b) => a.order - b.order || b.lastUsedAt - a.lastUsedAt,
    );
  }
}
