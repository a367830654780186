/**
 * handshake-race: the RFC's "Select new endpoint during each handshake" (WireGuard mailing list,
 * "[RFC] Handling multiple endpoints for a single peer", 2017). Every handshake initiation goes
 * to the active endpoint at once and, after a head start (default 10 ms), the IDENTICAL bytes go
 * to every other usable candidate; the first valid response wins and becomes active. A stock
 * responder accepts the first copy only (its TAI64N replay check rejects the identical later
 * ones) and roams to its source, so both directions agree on the path.
 *
 * Beyond the rekey timer a race starts on a send error or ICMP error on the active endpoint
 * (without it, at once), on suspicion (data unanswered for `suspicion`), after a handshake the
 * peer initiated when our own evaluation is stale (the RFC's "what if the remote peer always
 * performs key exchange just before us?"), and every `retry-configured` while traffic flows (a
 * LAN address that only works at home, a lower-RTT path that appears). Every race is spaced by
 * at least RACE_FLOOR and carries at most MAX_RACE_TARGETS copies.
 *
 * @example
 * ```ts
 * import { createHandshakeRace } from '@pathwire/strategy-handshake-race';
 * const strategy = createHandshakeRace({ 'head-start': '10ms', suspicion: '1500ms' });
 * device.setPeer({ publicKey, endpoints, strategy }, now); // @pathwire/engine
 * ```
 */
import {
  type EndpointView,
  type InitiationTarget,
  NO_DECISIONS,
  type StrategyContext,
  type StrategyDecision,
  type StrategyEvent,
  type StrategyFactory,
  type StrategyV1,
} from '@pathwire/strategy';
import { CandidateBackoff } from './backoff.js';
import { type HandshakeRaceOptions, parseOptions } from './options.js';

/**
 * Minimum spacing of the races this strategy starts by itself, ms: the engine's
 * STRATEGY_INITIATION_FLOOR. With at most MAX_RACE_TARGETS copies a race, the peer sees at most
 * 4 initiations a second from one source address, far below wireguard-go's 50 a second per peer
 * (HandshakeInitationRate) and its under-load limit of 20 a second per source.
 */
export const RACE_FLOOR = 250;
/** Copies per race at most (one per endpoint). */
export const MAX_RACE_TARGETS = 8;
/** WireGuard's REKEY_TIMEOUT: a race unanswered this long is retried by the engine. */
export const RACE_TIMEOUT = 5_000;
/** Suspicion windows grow (×2 per race that found the active path fine) up to KEEPALIVE_TIMEOUT + REKEY_TIMEOUT. */
export const SUSPICION_CAP = 15_000;
/** After a handshake the peer initiated, our own race (when due) waits this long: the session settles first. */
export const RESPONDER_RACE_DELAY = 1_000;

/** Why a race started. */
export type RaceTrigger =
  | 'handshake-needed'
  | 'send-error'
  | 'icmp-error'
  | 'suspicion'
  | 're-evaluate'
  | 'after-responder'
  | 'endpoints-changed';

interface Race {
  readonly trigger: RaceTrigger | `handshake-needed:${string}`;
  readonly startedAt: number;
  readonly targets: readonly InitiationTarget[];
  readonly activeBefore: string | undefined;
  winner?: string;
  rttMs?: number | undefined;
  completedAt?: number;
}

interface PendingRace {
  readonly at: number;
  readonly trigger: RaceTrigger;
  readonly exclude: string | undefined;
}

class HandshakeRace implements StrategyV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = 'handshake-race';

  private readonly backoff: CandidateBackoff;
  /** When the engine last sent an initiation, as far as we know (handshake-needed and our initiates). */
  private lastInitiationAt = Number.NEGATIVE_INFINITY;
  private race: Race | undefined;
  /** When a race we started last completed with a winner (our own evaluation of the paths). */
  private lastWinAt: number | undefined;
  private pending: PendingRace | undefined;
  private suspicion: { endpoint: string; since: number; at: number } | undefined;
  private suspicionLevel = 0;
  private previousSince: number | undefined;
  private reevaluateAt: number | undefined;
  private wakeRequested: number | undefined;
  private readonly counts: Record<string, number> = {};

  constructor(private readonly options: HandshakeRaceOptions) {
    this.backoff = new CandidateBackoff(
      options.backoffMs,
      Math.max(options.backoffMs, options.retryConfiguredMs),
    );
  }

  handle(event: StrategyEvent, context: StrategyContext): readonly StrategyDecision[] {
    const out: StrategyDecision[] = [];
    switch (event.type) {
      case 'start':
        this.ensureActive(context, out);
        this.reevaluateAt = context.now + this.options.retryConfiguredMs;
        break;
      case 'endpoints-changed':
        this.endpointsChanged(event.added, context, out);
        break;
      case 'handshake-needed':
        this.handshakeNeeded(event.reason, context, out);
        break;
      case 'handshake-complete':
        if (event.role === 'initiator') this.won(event.endpoint, event.rttMs, context, out);
        else this.responded(event.endpoint, context, out);
        break;
      case 'authenticated-packet':
        this.backoff.clear(event.endpoint);
        if (event.endpoint !== context.active && !this.vouched(context))
          this.activate(event.endpoint, context, out);
        break;
      case 'user-endpoint':
        this.backoff.clear(event.endpoint);
        break;
      case 'send-error':
      case 'icmp-error':
        this.sendFailed(event.type, event.endpoint, context, out);
        break;
      case 'unanswered':
        this.unanswered(event.endpoint, event.since, context);
        break;
      case 'timer':
        this.wakeRequested = undefined;
        this.timer(context, out);
        break;
      default:
        break;
    }
    this.requestWake(context, out);
    return out.length === 0 ? NO_DECISIONS : out;
  }

  describe(): Record<string, unknown> {
    const race = this.race;
    return {
      options: { ...this.options },
      lastRace: race
        ? {
            trigger: race.trigger,
            startedAt: race.startedAt,
            targets: race.targets.map((t) => `${t.endpoint}+${t.delayMs}ms`),
            winner: race.winner,
            rttMs: race.rttMs,
          }
        : undefined,
      races: { ...this.counts },
      suspicionLevel: this.suspicionLevel,
      backoff: this.backoff.snapshot(),
    };
  }

  // ---------------------------------------------------------------- events

  private handshakeNeeded(reason: string, context: StrategyContext, out: StrategyDecision[]): void {
    // A retry means nobody answered the previous race: every copy of it failed.
    if (reason === 'retry' && this.race && this.race.winner === undefined) {
      for (const target of this.race.targets) this.backoff.fail(target.endpoint, context.now);
    }
    const targets = this.targets(context, undefined);
    this.lastInitiationAt = context.now;
    if (targets.length === 0) return;
    out.push({ type: 'initiate', targets });
    this.begin(`handshake-needed:${reason}`, targets, context);
  }

  private won(
    endpoint: string,
    rttMs: number | undefined,
    context: StrategyContext,
    out: StrategyDecision[],
  ) {
    const race = this.race;
    const before = context.active;
    this.backoff.clear(endpoint);
    this.lastWinAt = context.now;
    this.suspicion = undefined;
    if (race && race.winner === undefined) {
      race.winner = endpoint;
      race.rttMs = rttMs;
      race.completedAt = context.now;
      if (race.trigger === 'suspicion') {
        if (endpoint === race.activeBefore) {
          // The active path was fine (one-way traffic, a slow peer): suspect it less readily.
          this.suspicionLevel++;
        } else {
          this.suspicionLevel = 0;
          if (race.activeBefore) this.backoff.fail(race.activeBefore, context.now);
        }
      }
    }
    if (endpoint !== before) this.activate(endpoint, context, out);
  }

  /**
   * The peer initiated and its initiation came via `endpoint` (the RFC's "what if the remote peer
   * always performs key exchange just before us?"). Follow it unless our own race vouches for the
   * active path; when our own evaluation is due, run our race shortly after.
   */
  private responded(endpoint: string, context: StrategyContext, out: StrategyDecision[]): void {
    this.backoff.clear(endpoint);
    // Our initiation in flight, if any, was superseded by the peer's.
    if (this.race && this.race.winner === undefined) this.race.completedAt = context.now;
    if (endpoint !== context.active && !this.vouched(context)) this.activate(endpoint, context, out);
    const stale =
      this.lastWinAt === undefined || context.now - this.lastWinAt >= this.options.retryConfiguredMs;
    if (stale && this.worthRacing(context)) {
      this.schedule({
        at: context.now + RESPONDER_RACE_DELAY,
        trigger: 'after-responder',
        exclude: undefined,
      });
    }
  }

  private sendFailed(
    kind: 'send-error' | 'icmp-error',
    endpoint: string,
    context: StrategyContext,
    out: StrategyDecision[],
  ): void {
    if (!context.endpoint(endpoint)) return;
    this.backoff.fail(endpoint, context.now);
    if (endpoint !== context.active) return;
    // Data must not wait for the race: move to the best other candidate at once (the session's
    // keys do not depend on the path; a stock peer roams to our new source on the first packet).
    const fallback = this.candidates(context, endpoint)[0];
    if (fallback) this.activate(fallback.key, context, out);
    // A race in flight that also reaches other candidates decides already.
    if (this.raceInFlight(context) && this.race!.targets.some((t) => t.endpoint !== endpoint)) return;
    this.start(kind, endpoint, context, out);
  }

  private unanswered(endpoint: string, since: number, context: StrategyContext): void {
    if (endpoint !== context.active) return;
    // The previous episode was answered quickly: traffic flows both ways, suspect promptly again.
    const answered = context.lastAuthenticatedAt;
    if (
      this.previousSince !== undefined &&
      answered !== undefined &&
      answered >= this.previousSince &&
      answered - this.previousSince < this.options.suspicionMs
    ) {
      this.suspicionLevel = 0;
    }
    this.previousSince = since;
    const cap = Math.max(SUSPICION_CAP, this.options.suspicionMs);
    const window = Math.min(this.options.suspicionMs * 2 ** Math.min(this.suspicionLevel, 10), cap);
    this.suspicion = { endpoint, since, at: since + window };
  }

  private timer(context: StrategyContext, out: StrategyDecision[]): void {
    const now = context.now;
    const pending = this.pending;
    if (pending && pending.at <= now) {
      this.pending = undefined;
      if (pending.trigger === 'after-responder' && !this.worthRacing(context)) {
        // nothing to compare any more
      } else if (!this.raceInFlight(context)) {
        this.start(pending.trigger, pending.exclude, context, out);
      }
    }
    const suspicion = this.suspicion;
    if (suspicion && suspicion.at <= now) {
      this.suspicion = undefined;
      if (
        context.unansweredSince === suspicion.since &&
        context.active === suspicion.endpoint &&
        !this.raceInFlight(context)
      ) {
        this.start('suspicion', undefined, context, out);
      }
    }
    if (this.reevaluateAt !== undefined && this.reevaluateAt <= now) {
      this.reevaluateAt = undefined;
      if (this.inUse(context) && this.worthRacing(context) && !this.raceInFlight(context)) {
        this.start('re-evaluate', undefined, context, out);
      }
      this.reevaluateAt ??= now + this.options.retryConfiguredMs;
    }
  }

  private endpointsChanged(
    added: readonly string[],
    context: StrategyContext,
    out: StrategyDecision[],
  ): void {
    this.backoff.retain(new Set(context.endpoints.map((endpoint) => endpoint.key)));
    this.ensureActive(context, out);
    const newConfigured = added.some((key) => context.endpoint(key)?.origin === 'configured');
    if (newConfigured && context.sessionEstablishedAt !== undefined && this.worthRacing(context)) {
      this.schedule({ at: context.now, trigger: 'endpoints-changed', exclude: undefined });
    }
  }

  // ---------------------------------------------------------------- races

  /** Starts a race outside `handshake-needed`, or defers it to respect RACE_FLOOR. */
  private start(
    trigger: RaceTrigger,
    exclude: string | undefined,
    context: StrategyContext,
    out: StrategyDecision[],
  ): void {
    if (context.now - this.lastInitiationAt < RACE_FLOOR) {
      this.schedule({ at: this.lastInitiationAt + RACE_FLOOR, trigger, exclude });
      return;
    }
    const targets = this.targets(context, exclude);
    if (targets.length === 0) return;
    this.lastInitiationAt = context.now;
    out.push({ type: 'initiate', targets });
    this.begin(trigger, targets, context);
  }

  private begin(
    trigger: Race['trigger'],
    targets: readonly InitiationTarget[],
    context: StrategyContext,
  ): void {
    this.race = { trigger, startedAt: context.now, targets, activeBefore: context.active };
    const key = trigger.startsWith('handshake-needed') ? 'handshake-needed' : trigger;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    // The periodic re-evaluation counts from the latest race, with a little jitter so that two
    // pathwire peers do not keep racing in step.
    this.reevaluateAt = context.now + this.options.retryConfiguredMs * (1 + 0.1 * context.random());
    // A race that starts answers whatever was waiting for one.
    this.pending = undefined;
  }

  private schedule(pending: PendingRace): void {
    if (this.pending && this.pending.at <= pending.at) return;
    this.pending = pending;
  }

  /** The active endpoint at 0 ms, every other usable candidate at the head start. */
  private targets(context: StrategyContext, exclude: string | undefined): InitiationTarget[] {
    const candidates = this.candidates(context, exclude);
    const chosen = candidates.slice(0, MAX_RACE_TARGETS);
    const active = context.active;
    if (active !== undefined && active !== exclude && !chosen.some((c) => c.key === active)) {
      const view = context.endpoint(active);
      // An active endpoint in backoff still gets its copy when nothing else is left to try.
      if (view && chosen.length === 0) chosen.push(view);
    }
    return chosen.map((endpoint, index) => ({
      endpoint: endpoint.key,
      delayMs: index === 0 ? 0 : this.options.headStartMs,
    }));
  }

  /**
   * Candidates in race order: the active endpoint first (its head start), then the others in
   * candidate order, leaving out `exclude` and those in backoff. When every candidate is in
   * backoff, all of them (least failing first): a race must still go somewhere.
   */
  private candidates(context: StrategyContext, exclude: string | undefined): EndpointView[] {
    const now = context.now;
    const all = context.endpoints.filter((endpoint) => endpoint.key !== exclude);
    let usable = all.filter((endpoint) => !this.backoff.backedOff(endpoint, now));
    if (usable.length === 0) usable = all;
    const active = context.active;
    const first = usable.findIndex((endpoint) => endpoint.key === active);
    if (first > 0) usable = [usable[first]!, ...usable.slice(0, first), ...usable.slice(first + 1)];
    return usable;
  }

  // ---------------------------------------------------------------- predicates

  private raceInFlight(context: StrategyContext): boolean {
    const race = this.race;
    return (
      race !== undefined &&
      race.winner === undefined &&
      race.completedAt === undefined &&
      context.now - race.startedAt < RACE_TIMEOUT
    );
  }

  /**
   * Our own race chose the active endpoint and it is answering (authenticated traffic within
   * the suspicion window, no send error): a handshake or a packet the peer sent via another
   * path does not move us (no ping-pong between two pathwire peers).
   */
  private vouched(context: StrategyContext): boolean {
    if (this.lastWinAt === undefined || context.active === undefined) return false;
    const active = context.endpoint(context.active);
    if (!active || active.sendErrors > 0 || active.lastReceivedAt === undefined) return false;
    return context.now - active.lastReceivedAt <= this.options.suspicionMs;
  }

  /** There is a choice to make: two configured candidates, or a configured one besides a learned active one. */
  private worthRacing(context: StrategyContext): boolean {
    let configured = 0;
    for (const endpoint of context.endpoints) if (endpoint.origin === 'configured') configured++;
    if (configured >= 2) return true;
    const active = context.active === undefined ? undefined : context.endpoint(context.active);
    return configured >= 1 && active !== undefined && active.origin !== 'configured';
  }

  /** A session exists and we sent on it recently: an idle tunnel is left idle, as WireGuard does. */
  private inUse(context: StrategyContext): boolean {
    if (context.sessionEstablishedAt === undefined || context.active === undefined) return false;
    const sent = context.endpoint(context.active)?.lastSentAt;
    return sent !== undefined && context.now - sent < this.options.retryConfiguredMs;
  }

  // ---------------------------------------------------------------- decisions

  private ensureActive(context: StrategyContext, out: StrategyDecision[]): void {
    if (context.active !== undefined && context.endpoint(context.active)) return;
    const first = this.candidates(context, undefined)[0];
    if (first) this.activate(first.key, context, out);
  }

  private activate(endpoint: string, context: StrategyContext, out: StrategyDecision[]): void {
    if (!context.endpoint(endpoint)) return;
    // Replace an earlier activate in the same answer: the engine applies them in order anyway.
    const index = out.findIndex((d) => d.type === 'activate');
    if (index >= 0) out.splice(index, 1);
    if (endpoint !== context.active || index >= 0) out.push({ type: 'activate', endpoint });
  }

  /** One wake for the earliest of our deadlines (the latest `wake` replaces earlier ones). */
  private requestWake(context: StrategyContext, out: StrategyDecision[]): void {
    let next = Number.POSITIVE_INFINITY;
    for (const at of [this.pending?.at, this.suspicion?.at, this.reevaluateAt])
      if (at !== undefined && at < next) next = at;
    if (next === Number.POSITIVE_INFINITY) return;
    const at = Math.max(next, context.now);
    if (this.wakeRequested !== undefined && this.wakeRequested <= at && this.wakeRequested >= context.now)
      return;
    this.wakeRequested = at;
    out.push({ type: 'wake', at });
  }
}

/** Builds the strategy for one peer; options as written in a config (`head-start=10ms`). */
export const createHandshakeRace: StrategyFactory = (options = {}) =>
  new HandshakeRace(parseOptions(options));
