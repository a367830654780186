/**
 * One DNS question (A, RFC 1035 §3.4.1, or AAAA, RFC 3596 §2.1) for one name, with the TTL of
 * every record, through node:dns's c-ares `Resolver` (`resolve4`/`resolve6` with
 * `{ ttl: true }`). Outcomes follow RFC 2308: NXDOMAIN (the name does not exist) and NODATA
 * (it exists, with no record of this type) are answers; SERVFAIL, REFUSED, timeouts and
 * transport errors are failures, after which the previous answer is still the best guess.
 *
 * Each lookup uses a fresh `Resolver`, so c-ares's own query cache (c-ares >= 1.23) never
 * hides a change from an on-demand refresh, and cancelling one lookup cancels no other.
 * `/etc/hosts`, search domains and nsswitch are not consulted (see the README).
 */
import { Resolver } from 'node:dns/promises';
import { ResolverError } from './errors.js';

export interface DnsRecord {
  /** As the server wrote it; the resolver canonicalises it. */
  readonly address: string;
  /** Seconds. */
  readonly ttl: number;
}

export type DnsAnswer =
  | { readonly kind: 'answer'; readonly records: readonly DnsRecord[] }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'failure'; readonly code: string; readonly message?: string };

/**
 * Looks up the A (family 4) or AAAA (family 6) records of `hostname`. Must settle soon after
 * `signal` aborts (the resolver ignores the result then). May reject: a rejection counts as a
 * failure whose code is the error's `code`, if any.
 */
export type DnsLookup = (hostname: string, family: 4 | 6, signal: AbortSignal) => Promise<DnsAnswer>;

export interface DnsLookupOptions {
  /**
   * Servers as `ip`, `ip:port`, `[ipv6]:port` (node:dns `setServers` syntax), e.g.
   * `['127.0.0.1:5353']`. Default: the system's (from /etc/resolv.conf at process start).
   */
  readonly servers?: readonly string[];
  /** c-ares per-try timeout in milliseconds. Default 2000. */
  readonly timeoutMs?: number;
  /** c-ares tries per server. Default 2. */
  readonly tries?: number;
}

const NXDOMAIN_CODES = new Set(['ENOTFOUND']);
const NODATA_CODES = new Set(['ENODATA']);

/** Checks server strings the way node:dns will, throwing `BAD_SERVER` early. */
export function validateServers(servers: readonly string[]): void {
  try {
    new Resolver().setServers([...servers]);
  } catch (error) {
    throw new ResolverError('BAD_SERVER', `bad DNS server list ${JSON.stringify(servers)}: ${String(error)}`);
  }
}

/**
 * The default lookup, backed by node:dns.
 *
 * @example
 * ```ts
 * const lookup = createDnsLookup({ servers: ['127.0.0.1:5353'] });
 * const answer = await lookup('vpn.example.org', 6, new AbortController().signal);
 * if (answer.kind === 'answer') console.log(answer.records); // [{ address: '2001:db8::7', ttl: 300 }]
 * ```
 */
export function createDnsLookup(options: DnsLookupOptions = {}): DnsLookup {
  const servers = options.servers ? [...options.servers] : undefined;
  if (servers) validateServers(servers);
  const resolverOptions = { timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 };
  return async (hostname, family, signal) => {
    if (signal.aborted) return { kind: 'failure', code: 'ECANCELLED' };
    const resolver = new Resolver(resolverOptions);
    if (servers) resolver.setServers(servers);
    const cancel = () => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      const records =
        family === 4
          ? await resolver.resolve4(hostname, { ttl: true })
          : await resolver.resolve6(hostname, { ttl: true });
      return records.length === 0 ? { kind: 'nodata' } : { kind: 'answer', records };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && NXDOMAIN_CODES.has(code)) return { kind: 'nxdomain' };
      if (typeof code === 'string' && NODATA_CODES.has(code)) return { kind: 'nodata' };
      return {
        kind: 'failure',
        code: typeof code === 'string' ? code : 'EUNKNOWN',
        message: error instanceof Error ? error.message : String(error),
      };
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  };
}
