/**
 * Backoff of failing candidates: an endpoint that failed (a send error, an ICMP error, a race in
 * which nobody answered, an active path that went silent) is left out of races for
 * `base · 2^(failures−1)`, capped, so a dead address costs fewer and fewer datagrams but is still
 * retried (a LAN address that only works at home must be found again when the user comes home).
 * Anything authenticated from the endpoint clears its record.
 */
import type { EndpointView } from '@pathwire/strategy';

export interface FailureRecord {
  readonly failures: number;
  readonly at: number;
  /** Left out of races until then. */
  readonly until: number;
}

export class CandidateBackoff {
  private readonly records = new Map<string, FailureRecord>();

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
  ) {}

  /** Counts one failure of `key` at `now`. */
  fail(key: string, now: number): FailureRecord {
    const previous = this.records.get(key);
    const failures = (previous?.failures ?? 0) + 1;
    const wait = Math.min(this.baseMs * 2 ** Math.min(failures - 1, 30), this.capMs);
    const record = { failures, at: now, until: now + wait };
    this.records.set(key, record);
    return record;
  }

  clear(key: string): void {
    this.records.delete(key);
  }

  /** Whether `endpoint` sits out races now; a receive since the last failure clears the record. */
  backedOff(endpoint: EndpointView, now: number): boolean {
    const record = this.records.get(endpoint.key);
    if (!record) return false;
    if (endpoint.lastReceivedAt !== undefined && endpoint.lastReceivedAt > record.at) {
      this.records.delete(endpoint.key);
      return false;
    }
    return now < record.until;
  }

  /** Forgets endpoints that left the set. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.records.keys()) if (!keys.has(key)) this.records.delete(key);
  }

  snapshot(): Record<string, FailureRecord> {
    return Object.fromEntries(this.records);
  }
}
