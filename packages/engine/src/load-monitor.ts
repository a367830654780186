/**
 * Denial-of-service defences for handshake messages (whitepaper §5.3): the device is "under
 * load" when handshake messages arrive faster than a threshold, and then (a) demands a valid
 * mac2 cookie and (b) rate-limits each source address with a token bucket, as wireguard-go's
 * `ratelimiter.go` does (20 per second, burst 5).
 */
import {
  SOURCE_RATE_BURST,
  SOURCE_RATE_PER_SECOND,
  UNDER_LOAD_AFTER_TIME,
  UNDER_LOAD_THRESHOLD,
} from './constants.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const MAX_BUCKETS = 4096;

export class LoadMonitor {
  private windowStart = Number.NEGATIVE_INFINITY;
  private windowCount = 0;
  private underLoadUntil = Number.NEGATIVE_INFINITY;
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly threshold = UNDER_LOAD_THRESHOLD) {}

  /** Counts one handshake message and says whether the device is under load now. */
  noteHandshake(now: number): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount++;
    if (this.windowCount > this.threshold) this.underLoadUntil = now + UNDER_LOAD_AFTER_TIME;
    return now < this.underLoadUntil;
  }

  /** Takes a token for `source`; false when the source exceeds its rate. */
  allow(source: string, now: number): boolean {
    let bucket = this.buckets.get(source);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
      bucket = { tokens: SOURCE_RATE_BURST, updatedAt: now };
      this.buckets.set(source, bucket);
    }
    bucket.tokens = Math.min(
      SOURCE_RATE_BURST,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * SOURCE_RATE_PER_SECOND,
    );
    bucket.updatedAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private prune(now: number): void {
    for (const [source, bucket] of this.buckets) {
      if (now - bucket.updatedAt > 1000) this.buckets.delete(source);
    }
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
  }
}
