/**
 * heartbeat-probe: the RFC's "Extend WireGuard to perform measurements" ("[RFC] Handling multiple
 * endpoints for a single peer", WireGuard mailing list, 2017) as a pathwire strategy (DESIGN.md,
 * heartbeat-probe).
 *
 * - Against a peer that has not answered a HELLO (a stock WireGuard, or not yet known), it IS
 *   handshake-race (fail-over by race on suspicion, send errors, periodic re-evaluation) and
 *   sends only a HELLO, only on the active endpoint, every `hello-interval` while in use.
 * - Against a pathwire peer: the active path is watched passively (anything authenticated
 *   counts); data unanswered for max(2·SRTT + 4·RTTVAR, `suspect-floor`) makes it SUSPECT: PINGs
 *   go to it and to every healthy standby at once, and data is duplicated onto the best healthy
 *   standby; `down-after` missed PINGs make it DOWN and traffic moves at once to the best
 *   standby. Standbys are pinged while the tunnel is in use: the best `standby-count` every
 *   `standby-interval` ± `standby-jitter`, the rest every `standby-others-interval`, none after
 *   `idle-after` without sending. A working active path is left for a standby only past the
 *   margins of `Hysteresis`; a DOWN path earns its way back with a doubling number of PONGs.
 *
 * @example
 * ```ts
 * import { createHeartbeatProbe } from '@pathwire/strategy-heartbeat-probe';
 * const strategy = createHeartbeatProbe({ 'suspect-floor': '250ms' });
 * device.setPeer({ publicKey, endpoints, strategy }, now); // @pathwire/engine
 * ```
 */
import {
  NO_DECISIONS,
  type StrategyContext,
  type StrategyDecision,
  type StrategyEvent,
  type StrategyFactory,
  type StrategyV1,
} from '@pathwire/strategy';
import { createHandshakeRace } from '@pathwire/strategy-handshake-race';
import { Hysteresis } from './hysteresis.js';
import { type HeartbeatProbeOptions, parseOptions } from './options.js';
import { Path } from './path.js';
import { beatsByMargin } from './score.js';

/** A learned endpoint is probed only if it delivered authenticated traffic this recently (DESIGN.md, "The endpoint model"). */
export const LEARNED_PROBE_HORIZON = 120_000;
/** The first PING of a standby leaves within this after the tunnel came into use (spread, not a burst). */
export const FIRST_PROBE_SPREAD = 1_000;

export type SwitchReason = 'down' | 'send-error' | 'better' | 'follow-peer' | 'no-active' | 'recovered';

interface Suspicion {
  readonly endpoint: string;
  readonly since: number;
  readonly checkAt: number;
}

class HeartbeatProbe implements StrategyV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = 'heartbeat-probe';

  private readonly race: StrategyV1;
  private raceWake: number | undefined;
  private readonly paths = new Map<string, Path>();
  private readonly hysteresis: Hysteresis;
  /** A passive check of the active path, due at `checkAt`. */
  private suspicion: Suspicion | undefined;
  /** The active path's SUSPECT episode: endpoint and when its silence began. */
  private episode: { endpoint: string; since: number } | undefined;
  /** False alarms in a row (the peer answered our PING, not with data): doubles the suspicion window. */
  private suspicionLevel = 0;
  private duplicateTo: string | undefined;
  private helloAt = 0;
  private hellos = 0;
  private mode: 'race' | 'probe' = 'race';
  private lastSwitch: { from: string | undefined; to: string; reason: SwitchReason; at: number } | undefined;
  private readonly switches: Record<string, number> = {};
  private wakeRequested: number | undefined;
  /** When the active path was last pinged for a comparison (see `evaluate`). */
  private activePingedAt = Number.NEGATIVE_INFINITY;
  private now = 0;

  constructor(private readonly options: HeartbeatProbeOptions) {
    this.race = createHandshakeRace(options.race);
    this.hysteresis = new Hysteresis(options);
  }

  handle(event: StrategyEvent, context: StrategyContext): readonly StrategyDecision[] {
    this.now = context.now;
    this.syncPaths(context);
    if (event.type === 'timer') {
      this.wakeRequested = undefined;
      if (this.raceWake !== undefined && this.raceWake <= context.now) this.raceWake = undefined;
    }
    const raceDecisions = this.race.handle(event, context);
    for (const decision of raceDecisions) if (decision.type === 'wake') this.raceWake = decision.at;

    const out: StrategyDecision[] = [];
    const allDownBefore = this.allDown(context);
    this.measure(event, context, allDownBefore);
    this.mode = context.probeSupport === 'yes' ? 'probe' : 'race';
    if (this.mode === 'race') {
      for (const decision of raceDecisions) if (decision.type !== 'wake') out.push(decision);
      if (this.duplicateTo !== undefined) this.stopDuplicate(out);
      this.episode = undefined;
      this.hello(context, out);
    } else {
      if (allDownBefore) {
        // Every path is DOWN: handshake races look for a way out too, and the first path that
        // answers a PING comes back at once (there is nothing better to wait for).
        for (const decision of raceDecisions) if (decision.type !== 'wake') out.push(decision);
        if (event.type === 'probe-reply' && this.paths.get(event.endpoint)?.state === 'up')
          this.switchTo(event.endpoint, context, out, 'recovered');
      } else if (event.type === 'handshake-needed') {
        for (const decision of raceDecisions) if (decision.type === 'initiate') out.push(decision);
      }
      this.decide(event, context, out);
      this.run(context, out);
    }
    this.requestWake(context, out);
    return out.length === 0 ? NO_DECISIONS : out;
  }

  describe(): Record<string, unknown> {
    const now = this.now;
    const paths: Record<string, unknown> = {};
    for (const [key, path] of this.paths) paths[key] = path.describe(now);
    return {
      mode: this.mode,
      options: { ...this.options, race: { ...this.options.race } },
      paths,
      suspect: this.episode
        ? { endpoint: this.episode.endpoint, sinceMs: now - this.episode.since }
        : undefined,
      suspicionLevel: this.suspicionLevel,
      duplicateTo: this.duplicateTo,
      hysteresis: this.hysteresis.candidate
        ? {
            candidate: this.hysteresis.candidate,
            checks: this.hysteresis.checks,
            sinceMs: now - this.hysteresis.since,
          }
        : undefined,
      lastSwitch: this.lastSwitch,
      switches: { ...this.switches },
      hellosSent: this.hellos,
      race: this.race.describe?.(),
    };
  }

  // ---------------------------------------------------------------- measurements (every mode)

  private measure(event: StrategyEvent, context: StrategyContext, allDown: boolean): void {
    const now = context.now;
    switch (event.type) {
      case 'probe-reply': {
        const path = this.paths.get(event.endpoint);
        if (!path) return;
        path.pong(event.rttMs, now);
        if (allDown) path.rescue(now);
        if (event.peerReceived !== undefined && event.sent !== undefined)
          path.loss.counts(event.peerReceived, event.sent);
        return;
      }
      case 'handshake-complete': {
        const path = this.paths.get(event.endpoint);
        if (!path) return;
        if (event.rttMs !== undefined) path.rtt.sample(event.rttMs, now);
        path.heard(now);
        return;
      }
      case 'authenticated-packet':
        this.paths.get(event.endpoint)?.heard(now);
        return;
      case 'send-error':
      case 'icmp-error':
        this.paths.get(event.endpoint)?.goDown(now);
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- probe mode: events

  private decide(event: StrategyEvent, context: StrategyContext, out: StrategyDecision[]): void {
    const now = context.now;
    const active = context.active;
    switch (event.type) {
      case 'start':
      case 'endpoints-changed':
        if (active === undefined || !context.endpoint(active)) this.failOver(context, out, 'no-active');
        return;
      case 'handshake-complete': {
        const activePath = active === undefined ? undefined : this.paths.get(active);
        if (!activePath || activePath.state === 'down') {
          this.switchTo(event.endpoint, context, out, 'follow-peer');
        } else if (
          event.role === 'initiator' &&
          event.endpoint !== active &&
          activePath.outstanding() === 0
        ) {
          // A standby won our handshake race although the active path had a head start: the
          // active path may have got slower. One PING measures it (the busy active path is
          // otherwise never probed); if the standby now scores better, `evaluate` takes over.
          this.ping(activePath, out);
        }
        return;
      }
      case 'authenticated-packet': {
        // The peer sends on another path: follow it when our active path has gone quiet (the
        // peer failed over, or duplicates because it suspects the path we use).
        if (event.endpoint === active) return;
        const view = active === undefined ? undefined : context.endpoint(active);
        const path = active === undefined ? undefined : this.paths.get(active);
        const silent =
          view?.lastReceivedAt === undefined || now - view.lastReceivedAt >= this.suspectWindow(path);
        if (!view || path?.state === 'down' || silent)
          this.switchTo(event.endpoint, context, out, 'follow-peer');
        return;
      }
      case 'send-error':
      case 'icmp-error':
        if (event.endpoint === active) this.failOver(context, out, 'send-error');
        return;
      case 'unanswered':
        if (event.endpoint !== active) return;
        this.suspicion = {
          endpoint: event.endpoint,
          since: event.since,
          checkAt: event.since + this.suspectWindow(this.paths.get(event.endpoint)),
        };
        return;
      case 'user-endpoint':
        // The user chose: keep it for at least `switch-interval` unless it fails.
        this.hysteresis.switched(now);
        this.endEpisode(out);
        return;
      case 'probe-reply':
        this.evaluate(context, out);
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- probe mode: clock

  /** Everything due at `now`: misses, the passive check, the SUSPECT episode, standby PINGs. */
  private run(context: StrategyContext, out: StrategyDecision[]): void {
    const now = context.now;
    const active = context.active;
    for (const path of this.paths.values()) {
      const wentDown = path.expire(now);
      if (wentDown && path.key === context.active) this.failOver(context, out, 'down');
    }
    const suspicion = this.suspicion;
    if (suspicion && suspicion.checkAt <= now) {
      this.suspicion = undefined;
      if (context.unansweredSince === suspicion.since && active === suspicion.endpoint && !this.episode) {
        this.enterSuspect(suspicion, context, out);
      } else if (context.unansweredSince !== suspicion.since) {
        // Answered by itself in time: traffic flows both ways, suspect promptly again.
        this.suspicionLevel = 0;
      }
    }
    const episode = this.episode;
    if (episode) {
      const view = context.endpoint(episode.endpoint);
      const path = this.paths.get(episode.endpoint);
      if (context.active !== episode.endpoint || !view || !path) this.endEpisode(out);
      else if (path.state === 'up') {
        // A PONG on the active path: the round trip works. If data still goes unanswered, the
        // flow is one-way (the peer has nothing to say): suspect less readily next time.
        // (Data or PINGs from the peer on this path prove only the way towards us: not enough.)
        if (context.unansweredSince !== undefined) this.suspicionLevel++;
        this.endEpisode(out);
      } else if (path.outstanding() === 0 && path.state !== 'down') {
        this.ping(path, out);
      }
    }
    // A peer with one path (a server that learned one client address): once everything is
    // DOWN, data answered again on the active path brings it back.
    const activePath = active === undefined ? undefined : this.paths.get(active);
    const activeView = active === undefined ? undefined : context.endpoint(active);
    if (
      activePath?.state === 'down' &&
      activePath.downAt !== undefined &&
      this.allDown(context) &&
      context.unansweredSince === undefined &&
      (activeView?.lastReceivedAt ?? Number.NEGATIVE_INFINITY) > activePath.downAt
    ) {
      activePath.rescue(now);
    }
    if (this.inUse(context)) this.probeStandbys(context, out);
    else for (const path of this.paths.values()) path.nextProbeAt = undefined;
  }

  private enterSuspect(suspicion: Suspicion, context: StrategyContext, out: StrategyDecision[]): void {
    const path = this.paths.get(suspicion.endpoint);
    if (!path) return;
    this.episode = { endpoint: suspicion.endpoint, since: suspicion.since };
    if (path.state !== 'down') path.state = 'suspect';
    this.ping(path, out);
    for (const standby of this.standbys(context)) {
      if (standby.state !== 'down' && standby.outstanding() === 0) this.ping(standby, out);
    }
    if (this.options.duplicate) {
      const target = this.best(context, (p) => p.state === 'up');
      if (target) {
        this.duplicateTo = target.key;
        out.push({ type: 'duplicate', endpoint: target.key });
      }
    }
  }

  private endEpisode(out: StrategyDecision[]): void {
    this.episode = undefined;
    if (this.duplicateTo !== undefined) this.stopDuplicate(out);
  }

  private stopDuplicate(out: StrategyDecision[]): void {
    this.duplicateTo = undefined;
    out.push({ type: 'duplicate' });
  }

  private probeStandbys(context: StrategyContext, out: StrategyDecision[]): void {
    const now = context.now;
    const ranked = this.standbys(context).sort((a, b) => this.rank(a, b, now));
    // Paths that are not standbys now (the active one, stale learned ones) have no schedule.
    for (const path of this.paths.values()) if (!ranked.includes(path)) path.nextProbeAt = undefined;
    ranked.forEach((path, index) => {
      if (path.nextProbeAt === undefined) {
        path.nextProbeAt = now + FIRST_PROBE_SPREAD * context.random();
        return;
      }
      if (path.nextProbeAt > now) return;
      if (path.outstanding() === 0) this.ping(path, out);
      const base =
        index < this.options.standbyCount
          ? this.options.standbyIntervalMs
          : this.options.standbyOthersIntervalMs;
      path.nextProbeAt = now + base * (1 + this.options.standbyJitter * (2 * context.random() - 1));
    });
  }

  /** Compares the best standby with the working active path (DESIGN.md, "Choosing"). */
  private evaluate(context: StrategyContext, out: StrategyDecision[]): void {
    const active = context.active === undefined ? undefined : this.paths.get(context.active);
    if (!active || active.state === 'down') return;
    const now = context.now;
    const candidate = this.best(context, (p) => p.state === 'up');
    const noise = candidate ? active.rtt.variation + candidate.rtt.variation : 0;
    const better =
      candidate !== undefined && beatsByMargin(candidate.score(now), active.score(now), this.options, noise);
    // Compare like with like: while a standby looks better, the (busy, otherwise unprobed)
    // active path gets a PING per standby interval too, so its windowed minimum is as fresh as
    // the standby's. This is the only time a healthy active path is probed.
    if (
      better &&
      now - this.activePingedAt >= this.options.standbyIntervalMs * (1 - this.options.standbyJitter)
    ) {
      this.activePingedAt = now;
      if (active.outstanding() === 0) this.ping(active, out);
    }
    if (this.hysteresis.compare(candidate?.key, better, now) && candidate)
      this.switchTo(candidate.key, context, out, 'better');
  }

  // ---------------------------------------------------------------- race mode: HELLO

  /** Until the peer answers a HELLO: one on the active endpoint every `hello-interval` while in use. */
  private hello(context: StrategyContext, out: StrategyDecision[]): void {
    if (context.probeSupport !== 'unknown' || context.active === undefined) return;
    if (context.sessionEstablishedAt === undefined || context.now < this.helloAt || !this.inUse(context))
      return;
    this.helloAt = context.now + this.options.helloIntervalMs;
    this.hellos++;
    out.push({ type: 'probe', endpoint: context.active });
  }

  // ---------------------------------------------------------------- choices

  private failOver(context: StrategyContext, out: StrategyDecision[], reason: SwitchReason): void {
    const target =
      this.best(context, (p) => p.state === 'up') ??
      this.best(context, (p) => p.state === 'unknown') ??
      this.best(context, (p) => p.state === 'suspect');
    if (target) this.switchTo(target.key, context, out, reason);
    else this.endEpisode(out);
  }

  private switchTo(
    key: string,
    context: StrategyContext,
    out: StrategyDecision[],
    reason: SwitchReason,
  ): void {
    if (!context.endpoint(key)) return;
    const index = out.findIndex((d) => d.type === 'activate');
    if (index >= 0) out.splice(index, 1);
    if (key === context.active && index < 0) return;
    out.push({ type: 'activate', endpoint: key });
    this.lastSwitch = { from: context.active, to: key, reason, at: context.now };
    this.switches[reason] = (this.switches[reason] ?? 0) + 1;
    this.hysteresis.switched(context.now);
    this.suspicion = undefined;
    this.endEpisode(out);
    // The new active path's PINGs in flight still count; its standby schedule stops.
    const path = this.paths.get(key);
    if (path) path.nextProbeAt = undefined;
  }

  /** The best path other than the active one among those `accept`s, by score then candidate order. */
  private best(context: StrategyContext, accept: (path: Path) => boolean): Path | undefined {
    let best: Path | undefined;
    for (const path of this.standbys(context)) {
      if (!accept(path)) continue;
      if (!best || this.rank(path, best, context.now) < 0) best = path;
    }
    return best;
  }

  /** Standbys: every endpoint but the active one that may be probed (learned ones only while recently heard). */
  private standbys(context: StrategyContext): Path[] {
    const list: Path[] = [];
    // With every path DOWN the active one is probed like the others: the first to answer wins.
    const allDown = this.allDown(context);
    for (const view of context.endpoints) {
      if (view.key === context.active && !allDown) continue;
      if (
        view.origin === 'learned' &&
        (view.lastReceivedAt === undefined || context.now - view.lastReceivedAt > LEARNED_PROBE_HORIZON)
      )
        continue;
      if (view.sendErrors > 0) continue;
      const path = this.paths.get(view.key);
      if (path) list.push(path);
    }
    return list;
  }

  /** Order: up < unknown < suspect < down; within a state, lower score; ties keep candidate order. */
  private rank(a: Path, b: Path, now: number): number {
    const order = { up: 0, unknown: 1, suspect: 2, down: 3 } as const;
    const byState = order[a.state] - order[b.state];
    if (byState !== 0) return byState;
    const sa = a.score(now);
    const sb = b.score(now);
    return sa === sb ? 0 : sa < sb ? -1 : 1;
  }

  // ---------------------------------------------------------------- helpers

  private ping(path: Path, out: StrategyDecision[]): void {
    path.pinged(this.now);
    out.push({ type: 'probe', endpoint: path.key });
  }

  /** max(2·SRTT + 4·RTTVAR, `suspect-floor`), doubled per false alarm up to `suspect-cap`. */
  private suspectWindow(path: Path | undefined): number {
    const base = path
      ? path.rtt.timeout(this.options.suspectFloorMs, this.options.suspectFloorMs)
      : this.options.suspectFloorMs;
    return Math.min(base * 2 ** Math.min(this.suspicionLevel, 16), Math.max(this.options.suspectCapMs, base));
  }

  /** Data went out on the active path within `idle-after`: the tunnel is in use. */
  private inUse(context: StrategyContext): boolean {
    if (context.active === undefined || context.sessionEstablishedAt === undefined) return false;
    const sent = context.endpoint(context.active)?.lastSentAt;
    return sent !== undefined && context.now - sent < this.options.idleAfterMs;
  }

  private allDown(context: StrategyContext): boolean {
    if (context.endpoints.length === 0) return false;
    for (const view of context.endpoints) if (this.paths.get(view.key)?.state !== 'down') return false;
    return true;
  }

  private syncPaths(context: StrategyContext): void {
    if (this.paths.size === context.endpoints.length) {
      let same = true;
      for (const view of context.endpoints) if (!this.paths.has(view.key)) same = false;
      if (same) return;
    }
    const keys = new Set<string>();
    for (const view of context.endpoints) {
      keys.add(view.key);
      if (!this.paths.has(view.key)) this.paths.set(view.key, new Path(view.key, this.options));
    }
    for (const key of this.paths.keys()) if (!keys.has(key)) this.paths.delete(key);
    if (this.duplicateTo !== undefined && !keys.has(this.duplicateTo)) this.duplicateTo = undefined;
  }

  /** One wake for the earliest deadline (the latest `wake` replaces earlier ones). */
  private requestWake(context: StrategyContext, out: StrategyDecision[]): void {
    let next = this.raceWake ?? Number.POSITIVE_INFINITY;
    const consider = (at: number | undefined) => {
      if (at !== undefined && at < next) next = at;
    };
    if (this.mode === 'probe') {
      consider(this.suspicion?.checkAt);
      for (const path of this.paths.values()) {
        consider(path.nextMissAt());
        consider(path.nextProbeAt);
      }
    } else if (context.probeSupport === 'unknown' && context.active !== undefined && this.inUse(context)) {
      consider(this.helloAt);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    const at = Math.max(next, context.now);
    if (this.wakeRequested === at) return;
    this.wakeRequested = at;
    out.push({ type: 'wake', at });
  }
}

/** Builds the strategy for one peer; options as written in a config (`suspect-floor=250ms`). */
export const createHeartbeatProbe: StrategyFactory = (options = {}) =>
  new HeartbeatProbe(parseOptions(options));
