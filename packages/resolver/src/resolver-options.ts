/**
 * Options of the endpoint resolver and their defaults. TTLs are honoured within
 * [minTtlMs, maxTtlMs] (RFC 1035 §3.2.1 TTL, RFC 8767 §4 for serving stale data, RFC 2308
 * for negative answers); failures are retried with exponential backoff.
 */
import type { Clock } from './clock.js';
import type { DnsLookup } from './dns-lookup.js';
import { ResolverError } from './errors.js';
import type { OrderOptions } from './order.js';

export interface EndpointResolverOptions {
  /** DNS servers for the default lookup (`ip`, `ip:port`, `[ipv6]:port`). Default: the system's. */
  readonly servers?: readonly string[];
  /** Replaces the node:dns lookup (tests, DoH, a cache). `servers` is then ignored. */
  readonly lookup?: DnsLookup;
  /** Time source. Default `systemClock` (`Date.now`, global timers). */
  readonly clock?: Clock;
  /** Shortest re-resolution interval, whatever the TTL (TTL 0 included). Default 10 s. */
  readonly minTtlMs?: number;
  /** Longest re-resolution interval, whatever the TTL. Default 1 h. */
  readonly maxTtlMs?: number;
  /** When to ask again after NXDOMAIN or NODATA (no SOA TTL is available from node:dns). Default 60 s. */
  readonly negativeTtlMs?: number;
  /** How long addresses survive continuous NXDOMAIN before they are dropped. Default 60 s. */
  readonly nxdomainGraceMs?: number;
  /** First retry delay after SERVFAIL, REFUSED or a timeout; doubles on each failure. Default 1 s. */
  readonly retryMinMs?: number;
  /** Cap of the retry delay. Default 60 s. */
  readonly retryMaxMs?: number;
  /** A question unanswered after this long is a timeout. Default 5 s. */
  readonly queryTimeoutMs?: number;
  /** How long a last good answer may be served stale while the server fails (RFC 8767). Default: forever. */
  readonly maxStaleMs?: number;
  /** At most this many addresses per host name, both families together. Default 8. */
  readonly maxAddressesPerName?: number;
  /** `refresh()` runs a name at most once per this interval; extra calls join the next run. Default 1 s. */
  readonly refreshCooldownMs?: number;
  /** Candidate order (RFC 8305 §4), also used to choose which addresses survive the cap. */
  readonly order?: OrderOptions;
}

export interface ResolvedOptions {
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  readonly negativeTtlMs: number;
  readonly nxdomainGraceMs: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly queryTimeoutMs: number;
  readonly maxStaleMs: number;
  readonly maxAddressesPerName: number;
  readonly refreshCooldownMs: number;
  readonly order: OrderOptions;
}

export const DEFAULTS: ResolvedOptions = {
  minTtlMs: 10_000,
  maxTtlMs: 3_600_000,
  negativeTtlMs: 60_000,
  nxdomainGraceMs: 60_000,
  retryMinMs: 1_000,
  retryMaxMs: 60_000,
  queryTimeoutMs: 5_000,
  maxStaleMs: Number.POSITIVE_INFINITY,
  maxAddressesPerName: 8,
  refreshCooldownMs: 1_000,
  order: {},
};

export function resolveOptions(options: EndpointResolverOptions): ResolvedOptions {
  const pick = (key: Exclude<keyof ResolvedOptions, 'order'>, min: number): number => {
    const value = options[key] ?? DEFAULTS[key];
    if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
      throw new ResolverError('BAD_OPTION', `${key} must be a number >= ${min}, got ${String(value)}`);
    }
    return value;
  };
  const resolved: ResolvedOptions = {
    minTtlMs: pick('minTtlMs', 0),
    maxTtlMs: pick('maxTtlMs', 0),
    negativeTtlMs: pick('negativeTtlMs', 1),
    nxdomainGraceMs: pick('nxdomainGraceMs', 0),
    retryMinMs: pick('retryMinMs', 1),
    retryMaxMs: pick('retryMaxMs', 1),
    queryTimeoutMs: pick('queryTimeoutMs', 1),
    maxStaleMs: pick('maxStaleMs', 0),
    maxAddressesPerName: Math.floor(pick('maxAddressesPerName', 1)),
    refreshCooldownMs: pick('refreshCooldownMs', 0),
    order: options.order ?? {},
  };
  if (resolved.maxTtlMs < resolved.minTtlMs) {
    throw new ResolverError('BAD_OPTION', 'maxTtlMs must be >= minTtlMs');
  }
  if (resolved.retryMaxMs < resolved.retryMinMs) {
    throw new ResolverError('BAD_OPTION', 'retryMaxMs must be >= retryMinMs');
  }
  // A zero interval would spin; 1 ms is the floor of every re-resolution delay.
  return { ...resolved, minTtlMs: Math.max(1, resolved.minTtlMs), maxTtlMs: Math.max(1, resolved.maxTtlMs) };
}
