/**
 * The living endpoint set of one peer (DESIGN.md, "The endpoint model"): the configured
 * items, with every host name expanded into all of its A and AAAA records (RFC 1035, RFC 3596)
 * and re-resolved when their TTL runs out, or on demand. Duplicates are merged and remember
 * every item they came from; changes are reported as events so a running peer's set changes
 * without a restart.
 *
 * Failure handling:
 * - SERVFAIL, REFUSED, timeout: keep the last good answer, marked `stale` once its TTL has
 *   run out (serve-stale, RFC 8767), and retry with exponential backoff.
 * - NXDOMAIN (RFC 2308 §2.1): keep the addresses, marked stale, for `nxdomainGraceMs`; drop
 *   them when NXDOMAIN is still the answer after that.
 * - NODATA (RFC 2308 §2.2): an authoritative "no record of this type": dropped at once.
 */

import {
  type AddressClass,
  classifyBytes,
  type Endpoint,
  endpointKey,
  formatAddress,
  isUsableClass,
  parseAddress,
} from '@pathwire/ip';
import { type Clock, systemClock } from './clock.js';
import { createDnsLookup, type DnsAnswer, type DnsLookup } from './dns-lookup.js';
import { Emitter } from './emitter.js';
import { ResolverError, UnusableEndpointError } from './errors.js';
import { canonicalHostname } from './hostname.js';
import { orderCandidates } from './order.js';
import type { AddressItem, EndpointItem, HostnameItem } from './parse-endpoints.js';
import { parseEndpointList } from './parse-endpoints.js';
import { type EndpointResolverOptions, type ResolvedOptions, resolveOptions } from './resolver-options.js';

/** Where an endpoint came from: an IP literal in the list. */
export interface LiteralSource {
  readonly kind: 'literal';
  /** The item as written, its index in the list and its character offset. */
  readonly item: string;
  readonly index: number;
  readonly offset: number;
}

/** Where an endpoint came from: a DNS record of a host name in the list. */
export interface DnsSource {
  readonly kind: 'dns';
  readonly item: string;
  readonly index: number;
  readonly offset: number;
  readonly hostname: string;
  /** The record's TTL in seconds, as received. */
  readonly ttl: number;
  /** When the record expires (clock milliseconds, after clamping). */
  readonly expiresAt: number;
  /** The record outlived its TTL (server failing) or the name is NXDOMAIN within the grace period. */
  readonly stale: boolean;
}

export type EndpointSource = LiteralSource | DnsSource;

/** One member of the set. */
export interface ResolvedEndpoint extends Endpoint {
  /** `endpointKey(this)`. */
  readonly key: string;
  readonly family: 4 | 6;
  readonly class: AddressClass;
  /** True when every source is a stale DNS record. */
  readonly stale: boolean;
  /** Every item it came from, in list order. */
  readonly sources: readonly EndpointSource[];
}

export interface EndpointChange {
  readonly added: readonly ResolvedEndpoint[];
  readonly removed: readonly ResolvedEndpoint[];
  /** Still present, but their sources or staleness changed. */
  readonly updated: readonly ResolvedEndpoint[];
  /** The whole set after the change, in candidate order. */
  readonly endpoints: readonly ResolvedEndpoint[];
}

export type ResolveOutcome = 'answer' | 'nodata' | 'nxdomain' | 'failure';

/** One DNS question's result, for logs and status. */
export interface ResolveReport {
  readonly hostname: string;
  readonly family: 4 | 6;
  readonly outcome: ResolveOutcome;
  /** For failures: ETIMEOUT, ESERVFAIL, EREFUSED, ... */
  readonly code?: string;
  readonly message?: string;
  /** Canonical addresses kept from this answer (before the per-name cap). */
  readonly addresses: readonly string[];
  /** Addresses in the answer that were refused, with why. */
  readonly ignored: readonly { readonly address: string; readonly reason: string }[];
  /** The family's addresses are now served stale. */
  readonly stale: boolean;
  readonly at: number;
}

export interface NameStatus {
  readonly hostname: string;
  /** List indices of the items naming this host. */
  readonly items: readonly number[];
  /** The addresses currently contributed (after the cap), in candidate order. */
  readonly addresses: readonly string[];
  readonly stale: boolean;
  readonly lastOutcome: { readonly 4?: ResolveOutcome; readonly 6?: ResolveOutcome };
  readonly lastQueryAt?: number;
  readonly nextQueryAt?: number;
  readonly nxdomainSince?: number;
  readonly consecutiveFailures: number;
}

export type EndpointResolverEvents = {
  change: (change: EndpointChange) => void;
  resolve: (report: ResolveReport) => void;
};

interface HeldRecord {
  readonly address: string;
  readonly family: 4 | 6;
  /** The question it answered: AAAA answers may hold IPv4-mapped addresses, now IPv4. */
  readonly question: 4 | 6;
  readonly class: AddressClass;
  readonly ttl: number;
  readonly expiresAt: number;
}

interface FamilyState {
  records: HeldRecord[];
  stale: boolean;
  lastGoodAt: number | undefined;
  nxdomainSince: number | undefined;
  lastOutcome: ResolveOutcome | undefined;
}

interface NameState {
  readonly hostname: string;
  readonly items: HostnameItem[];
  readonly families: { 4: FamilyState; 6: FamilyState };
  /** The addresses this name contributes, capped, in candidate order. */
  selected: HeldRecord[];
  timer: unknown;
  nextAt: number | undefined;
  inFlight: Promise<void> | undefined;
  abort: AbortController | undefined;
  lastStartedAt: number | undefined;
  failures: number;
  waiters: (() => void)[];
}

interface Member {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly class: AddressClass;
  readonly sources: EndpointSource[];
  rank: readonly [number, number];
}

const newFamily = (): FamilyState => ({
  records: [],
  stale: false,
  lastGoodAt: undefined,
  nxdomainSince: undefined,
  lastOutcome: undefined,
});

/**
 * Turns an endpoint list into a living set of endpoints.
 *
 * @example
 * ```ts
 * import { EndpointResolver } from '@pathwire/resolver';
 *
 * const resolver = new EndpointResolver('203.0.113.7:51820, vpn.example.org:51820', {
 *   servers: ['127.0.0.1:5353'],
 * });
 * resolver.on('change', ({ added, removed }) => {
 *   for (const e of added) console.log('+', e.key, e.class, e.sources.map((s) => s.item));
 *   for (const e of removed) console.log('-', e.key);
 * });
 * await resolver.start(); // literals at once, then every name resolved once
 * console.log(resolver.endpoints().map((e) => e.key));
 * // later, when every address of a name fails:
 * await resolver.refresh('vpn.example.org');
 * resolver.close(); // no timer, query or event after this
 * ```
 */
export class EndpointResolver extends Emitter<EndpointResolverEvents> {
  readonly #options: ResolvedOptions;
  readonly #clock: Clock;
  readonly #lookup: DnsLookup;
  readonly #literals: AddressItem[] = [];
  readonly #names = new Map<string, NameState>();
  #members = new Map<string, ResolvedEndpoint>();
  #ordered: readonly ResolvedEndpoint[] = [];
  #ready: Promise<void> | undefined;
  #closed = false;
  readonly #timeouts = new Set<unknown>();

  /**
   * @param list an `Endpoint =` value, or items from `parseEndpointList`.
   * @throws EndpointParseError on a syntax error, UnusableEndpointError on a literal that can
   *   never be a peer (unspecified, multicast, broadcast), ResolverError `BAD_OPTION` /
   *   `BAD_SERVER` on bad options.
   */
  constructor(list: string | readonly EndpointItem[], options: EndpointResolverOptions = {}) {
    super();
    this.#options = resolveOptions(options);
    this.#clock = options.clock ?? systemClock;
    this.#lookup = options.lookup ?? createDnsLookup(options.servers ? { servers: options.servers } : {});
    const items = typeof list === 'string' ? parseEndpointList(list) : list;
    for (const item of items) {
      if (item.kind === 'address') {
        const parsed = parseAddress(item.address);
        const addressClass = parsed ? classifyBytes(parsed.family, parsed.bytes) : 'reserved';
        if (!isUsableClass(addressClass)) {
          throw new UnusableEndpointError(
            `${addressClass} address cannot be a peer`,
            item.text,
            item.index,
            item.offset,
          );
        }
        this.#literals.push(item);
      } else {
        let state = this.#names.get(item.hostname);
        if (!state) {
          state = {
            hostname: item.hostname,
            items: [],
            families: { 4: newFamily(), 6: newFamily() },
            selected: [],
            timer: undefined,
            nextAt: undefined,
            inFlight: undefined,
            abort: undefined,
            lastStartedAt: undefined,
            failures: 0,
            waiters: [],
          };
          this.#names.set(item.hostname, state);
        }
        state.items.push(item);
      }
    }
  }

  /**
   * Publishes the literal endpoints (a `change` event, synchronously) and resolves every host
   * name once. The promise settles when each name has an answer or a failure; it never
   * rejects. Calling it again returns the same promise.
   */
  start(): Promise<void> {
    if (this.#ready) return this.#ready;
    if (this.#closed) return Promise.resolve();
    this.#recompute();
    this.#ready = Promise.all([...this.#names.values()].map((state) => this.#run(state))).then(() => {});
    return this.#ready;
  }

  /** The current set, in candidate order (RFC 8305 §4, see `order.ts`). */
  endpoints(): readonly ResolvedEndpoint[] {
    return this.#ordered;
  }

  /** One member by key (`endpointKey`). */
  get(key: string): ResolvedEndpoint | undefined {
    return this.#members.get(key);
  }

  /** The host names of the list, canonical. */
  hostnames(): string[] {
    return [...this.#names.keys()];
  }

  /** What is known about one host name. */
  status(hostname: string): NameStatus {
    const state = this.#name(hostname);
    const v4 = state.families[4];
    const v6 = state.families[6];
    const nx = [v4.nxdomainSince, v6.nxdomainSince].filter((t): t is number => t !== undefined);
    return {
      hostname: state.hostname,
      items: state.items.map((i) => i.index),
      addresses: state.selected.map((r) => r.address),
      stale: v4.stale || v6.stale,
      lastOutcome: {
        ...(v4.lastOutcome ? { 4: v4.lastOutcome } : {}),
        ...(v6.lastOutcome ? { 6: v6.lastOutcome } : {}),
      },
      ...(state.lastStartedAt !== undefined ? { lastQueryAt: state.lastStartedAt } : {}),
      ...(state.nextAt !== undefined ? { nextQueryAt: state.nextAt } : {}),
      ...(nx.length > 0 ? { nxdomainSince: Math.min(...nx) } : {}),
      consecutiveFailures: state.failures,
    };
  }

  /**
   * Re-resolves one host name now (all names when omitted), e.g. when every address of it is
   * failing. A query already running is joined; within `refreshCooldownMs` of the last one,
   * the next run is brought forward to the end of the cool-down instead. Settles when that run
   * is over (never rejects for DNS reasons).
   *
   * @throws ResolverError `UNKNOWN_NAME` (as a rejection) if the name is not in the list.
   */
  refresh(hostname?: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (hostname === undefined) {
      return Promise.all([...this.#names.values()].map((state) => this.#refresh(state))).then(() => {});
    }
    let state: NameState;
    try {
      state = this.#name(hostname);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#refresh(state);
  }

  /**
   * Stops everything: timers cleared, queries in flight cancelled, listeners removed. No event
   * fires after this; pending `start()`/`refresh()` promises settle. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const state of this.#names.values()) {
      if (state.timer !== undefined) this.#clock.clearTimeout(state.timer);
      state.timer = undefined;
      state.nextAt = undefined;
      state.abort?.abort();
      this.#release(state);
    }
    for (const handle of this.#timeouts) this.#clock.clearTimeout(handle);
    this.#timeouts.clear();
    this.removeAllListeners();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #name(hostname: string): NameState {
    const canonical = canonicalHostname(hostname);
    const state = canonical.ok ? this.#names.get(canonical.hostname) : undefined;
    if (!state)
      throw new ResolverError('UNKNOWN_NAME', `${JSON.stringify(hostname)} is not in the endpoint list`);
    return state;
  }

  #refresh(state: NameState): Promise<void> {
    if (state.inFlight) return state.inFlight;
    const now = this.#clock.now();
    const earliest = (state.lastStartedAt ?? Number.NEGATIVE_INFINITY) + this.#options.refreshCooldownMs;
    if (now >= earliest) return this.#run(state);
    if (state.nextAt === undefined || state.nextAt > earliest) this.#schedule(state, earliest - now);
    return new Promise((resolve) => state.waiters.push(resolve));
  }

  #release(state: NameState): void {
    const waiters = state.waiters;
    state.waiters = [];
    for (const resolve of waiters) resolve();
  }

  #schedule(state: NameState, delayMs: number): void {
    if (this.#closed) return;
    if (state.timer !== undefined) this.#clock.clearTimeout(state.timer);
    const delay = Math.max(1, Math.round(delayMs));
    state.nextAt = this.#clock.now() + delay;
    state.timer = this.#clock.setTimeout(() => {
      state.timer = undefined;
      state.nextAt = undefined;
      void this.#run(state);
    }, delay);
  }

  #run(state: NameState): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (state.inFlight) return state.inFlight;
    if (state.timer !== undefined) this.#clock.clearTimeout(state.timer);
    state.timer = undefined;
    state.nextAt = undefined;
    const abort = new AbortController();
    state.abort = abort;
    state.lastStartedAt = this.#clock.now();
    const round = Promise.all([
      this.#ask(state.hostname, 4, abort.signal),
      this.#ask(state.hostname, 6, abort.signal),
    ])
      .then(([a4, a6]) => {
        if (this.#closed || abort.signal.aborted) return;
        this.#apply(state, a4, a6);
      })
      .finally(() => {
        state.inFlight = undefined;
        state.abort = undefined;
        this.#release(state);
      });
    state.inFlight = round;
    return round;
  }

  /** One question with our own timeout, on the injected clock. Never rejects. */
  #ask(hostname: string, family: 4 | 6, parent: AbortSignal): Promise<DnsAnswer> {
    return new Promise<DnsAnswer>((resolve) => {
      const controller = new AbortController();
      let settled = false;
      const settle = (answer: DnsAnswer): void => {
        if (settled) return;
        settled = true;
        this.#clock.clearTimeout(timeout);
        this.#timeouts.delete(timeout);
        parent.removeEventListener('abort', onAbort);
        resolve(answer);
      };
      const onAbort = (): void => {
        controller.abort();
        settle({ kind: 'failure', code: 'ECANCELLED', message: 'cancelled' });
      };
      const timeout = this.#clock.setTimeout(() => {
        controller.abort();
        settle({
          kind: 'failure',
          code: 'ETIMEOUT',
          message: `no answer within ${this.#options.queryTimeoutMs} ms`,
        });
      }, this.#options.queryTimeoutMs);
      this.#timeouts.add(timeout);
      if (parent.aborted) return onAbort();
      parent.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() =>
          controller.signal.aborted
            ? ({ kind: 'failure', code: 'ECANCELLED' } as const)
            : this.#lookup(hostname, family, controller.signal),
        )
        .then(settle, (error: unknown) => {
          const code = (error as { code?: unknown } | null)?.code;
          settle({
            kind: 'failure',
            code: typeof code === 'string' ? code : 'ELOOKUP',
            message: error instanceof Error ? error.message : String(error),
          });
        });
    });
  }

  #apply(state: NameState, a4: DnsAnswer, a6: DnsAnswer): void {
    const now = this.#clock.now();
    const o = this.#options;
    const reports: ResolveReport[] = [];
    let delay = Number.POSITIVE_INFINITY;
    let failed = false;
    for (const [family, answer] of [
      [4, a4],
      [6, a6],
    ] as const) {
      const fs = state.families[family];
      fs.lastOutcome = answer.kind;
      const ignored: { address: string; reason: string }[] = [];
      switch (answer.kind) {
        case 'answer': {
          const seen = new Set<string>();
          const records: HeldRecord[] = [];
          for (const record of answer.records) {
            const parsed = parseAddress(record.address);
            if (!parsed || parsed.zone !== undefined) {
              ignored.push({ address: record.address, reason: 'not an IP address' });
              continue;
            }
            const address = formatAddress(parsed);
            const addressClass = classifyBytes(parsed.family, parsed.bytes);
            if (!isUsableClass(addressClass)) {
              ignored.push({ address, reason: `${addressClass} address cannot be a peer` });
              continue;
            }
            if (seen.has(address)) continue;
            seen.add(address);
            const ttl = Number.isFinite(record.ttl) && record.ttl > 0 ? record.ttl : 0;
            const lifetime = Math.min(o.maxTtlMs, Math.max(o.minTtlMs, ttl * 1000));
            records.push({
              address,
              family: parsed.family,
              question: family,
              class: addressClass,
              ttl,
              expiresAt: now + lifetime,
            });
          }
          fs.records = records;
          fs.stale = false;
          fs.lastGoodAt = now;
          fs.nxdomainSince = undefined;
          const next = Math.min(...records.map((r) => r.expiresAt - now));
          delay = Math.min(delay, records.length > 0 ? next : o.negativeTtlMs);
          break;
        }
        case 'nodata':
          fs.records = [];
          fs.stale = false;
          fs.lastGoodAt = now;
          fs.nxdomainSince = undefined;
          delay = Math.min(delay, o.negativeTtlMs);
          break;
        case 'nxdomain': {
          fs.nxdomainSince ??= now;
          const graceLeft = fs.nxdomainSince + o.nxdomainGraceMs - now;
          if (graceLeft <= 0 || fs.records.length === 0) {
            fs.records = [];
            fs.stale = false;
            delay = Math.min(delay, o.negativeTtlMs);
          } else {
            fs.stale = true;
            delay = Math.min(delay, o.negativeTtlMs, graceLeft);
          }
          break;
        }
        case 'failure': {
          failed = true;
          if (fs.lastGoodAt !== undefined && now - fs.lastGoodAt > o.maxStaleMs) fs.records = [];
          fs.stale = fs.stale || fs.records.some((r) => r.expiresAt <= now);
          const backoff = Math.min(o.retryMaxMs, o.retryMinMs * 2 ** Math.min(state.failures, 30));
          const fresh = fs.records.filter((r) => r.expiresAt > now).map((r) => r.expiresAt - now);
          delay = Math.min(delay, backoff, ...fresh);
          break;
        }
      }
      reports.push({
        hostname: state.hostname,
        family,
        outcome: answer.kind,
        ...(answer.kind === 'failure'
          ? { code: answer.code, ...(answer.message !== undefined ? { message: answer.message } : {}) }
          : {}),
        addresses: fs.records.map((r) => r.address),
        ignored,
        stale: fs.stale,
        at: now,
      });
    }
    state.failures = failed ? state.failures + 1 : 0;
    state.selected = this.#select(state);
    this.#schedule(state, delay);
    for (const report of reports) {
      if (this.#closed) return;
      this.emit('resolve', report);
    }
    if (!this.#closed) this.#recompute();
  }

  /** Caps the name's addresses, keeping those already selected first so a rotating answer does not churn the set. */
  #select(state: NameState): HeldRecord[] {
    const previous = new Set(state.selected.map((r) => r.address));
    const byAddress = new Map<string, HeldRecord>();
    for (const record of [...state.families[6].records, ...state.families[4].records]) {
      if (!byAddress.has(record.address)) byAddress.set(record.address, record);
    }
    const all = [...byAddress.values()];
    const kept = [
      ...all.filter((r) => previous.has(r.address)),
      ...all.filter((r) => !previous.has(r.address)),
    ];
    const capped = orderCandidates(kept, this.#options.order).slice(0, this.#options.maxAddressesPerName);
    // Back in answer order, so that the set's order follows the DNS answer, not our history.
    const chosen = new Set(capped);
    return orderCandidates(
      all.filter((r) => chosen.has(r)),
      this.#options.order,
    );
  }

  #recompute(): void {
    const members = new Map<string, Member>();
    const add = (
      address: string,
      port: number,
      family: 4 | 6,
      addressClass: AddressClass,
      source: EndpointSource,
      rank: readonly [number, number],
    ): void => {
      const key = endpointKey({ address, port });
      const member = members.get(key);
      if (!member) {
        members.set(key, { address, port, family, class: addressClass, sources: [source], rank });
        return;
      }
      member.sources.push(source);
      if (rank[0] < member.rank[0] || (rank[0] === member.rank[0] && rank[1] < member.rank[1]))
        member.rank = rank;
    };
    for (const item of this.#literals) {
      const parsed = parseAddress(item.address)!;
      add(
        item.address,
        item.port,
        parsed.family,
        classifyBytes(parsed.family, parsed.bytes),
        { kind: 'literal', item: item.text, index: item.index, offset: item.offset },
        [item.index, 0],
      );
    }
    const now = this.#clock.now();
    for (const state of this.#names.values()) {
      for (const item of state.items) {
        state.selected.forEach((record, position) => {
          const fs = state.families[record.question];
          const stale = fs.stale && (fs.nxdomainSince !== undefined || record.expiresAt <= now);
          add(
            record.address,
            item.port,
            record.family,
            record.class,
            {
              kind: 'dns',
              item: item.text,
              index: item.index,
              offset: item.offset,
              hostname: state.hostname,
              ttl: record.ttl,
              expiresAt: record.expiresAt,
              stale,
            },
            [item.index, position + 1],
          );
        });
      }
    }
    const sorted = [...members.entries()].sort(
      ([, a], [, b]) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1],
    );
    const next = new Map<string, ResolvedEndpoint>();
    const added: ResolvedEndpoint[] = [];
    const updated: ResolvedEndpoint[] = [];
    for (const [key, member] of sorted) {
      const sources = [...member.sources].sort((a, b) => a.index - b.index);
      const endpoint: ResolvedEndpoint = Object.freeze({
        address: member.address,
        port: member.port,
        key,
        family: member.family,
        class: member.class,
        stale: sources.every((s) => s.kind === 'dns' && s.stale),
        sources: Object.freeze(sources.map((s) => Object.freeze(s))),
      });
      next.set(key, endpoint);
      const before = this.#members.get(key);
      if (!before) added.push(endpoint);
      else if (signature(before) !== signature(endpoint)) updated.push(endpoint);
    }
    const removed = [...this.#members.values()].filter((e) => !next.has(e.key));
    this.#members = next;
    this.#ordered = Object.freeze(orderCandidates([...next.values()], this.#options.order));
    if (added.length + removed.length + updated.length > 0) {
      this.emit('change', { added, removed, updated, endpoints: this.#ordered });
    }
  }
}

function signature(endpoint: ResolvedEndpoint): string {
  return endpoint.sources
    .map((s) => (s.kind === 'literal' ? `l${s.index}` : `d${s.index}${s.stale ? 's' : ''}`))
    .join(',');
}
