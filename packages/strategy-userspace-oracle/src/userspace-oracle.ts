/**
 * userspace-oracle: the RFC's "Decision-making in userspace" (WireGuard mailing list, "[RFC]
 * Handling multiple endpoints for a single peer", 2017). An external process orders, the engine
 * obeys for a lease; a dead or silent oracle cannot pin a dead path, because when the lease lapses
 * or its connection drops the peer belongs to a fallback strategy again (handshake-race by
 * default). The fallback sees every event all along, so it takes over with current knowledge.
 *
 * Orders arrive as v1 `command` events (see `commands.ts`):
 * - `select` prefer: the endpoint is active unless it is DOWN (send errors), then the fallback
 *   decides until it recovers; pin: active regardless. Handshakes go to it alone.
 * - `probe`: a pathwire peer (in-band probes answered, or the endpoint is the active one) gets an
 *   in-band probe via the endpoint; otherwise (a stock peer) a handshake initiation goes there.
 *   A stock peer answers and moves its return path to where the initiation came from until our
 *   next data packet, which goes out on the active endpoint and moves it back (ORACLE.md §7).
 *   The RTT comes back as a `probe-result` notice; the probe never changes the active endpoint.
 *
 * @example
 * ```ts
 * import { createUserspaceOracle } from '@pathwire/strategy-userspace-oracle';
 * const strategy = createUserspaceOracle({ fallback: 'handshake-race' });
 * strategy.onNotice = (notice) => console.log(notice); // probe results, activations, lease ends
 * device.setPeer({ publicKey, endpoints, strategy }, now); // @pathwire/engine
 * device.command(peer, { op: 'select', endpoint: '192.0.2.1:51820', mode: 'pin', until: now + 30_000 }, now);
 * ```
 */
import {
  NO_DECISIONS,
  type StrategyContext,
  type StrategyDecision,
  type StrategyEvent,
  type StrategyV1,
} from '@pathwire/strategy';
import { type OracleCommand, type OracleNotice, readCommand } from './commands.js';
import type { LeaseEndReason } from './protocol/messages.js';

interface Order {
  readonly endpoint: string;
  readonly mode: 'prefer' | 'pin';
  readonly until: number;
}

export class UserspaceOracle implements StrategyV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = 'userspace-oracle';
  /** Where notices go (the daemon's oracle server sets this); called inside `handle`. */
  onNotice: ((notice: OracleNotice) => void) | undefined;
  private order: Order | undefined;
  /** The fallback's latest wake request, and the one the engine holds for us. */
  private fallbackWake: number | undefined;
  private engineWake: number | undefined;
  /** A handshake started to measure an endpoint (stock peer), until it completes. */
  private probeHandshake: { readonly endpoint: string; readonly at: number } | undefined;
  private lastEnded: { reason: LeaseEndReason; at: number } | undefined;

  constructor(readonly fallback: StrategyV1) {}

  handle(event: StrategyEvent, context: StrategyContext): readonly StrategyDecision[] {
    if (event.type === 'timer') this.engineWake = undefined;
    this.checkOrder(context);
    let decisions: StrategyDecision[];
    if (event.type === 'command') {
      const command = readCommand(event.command);
      decisions = command ? this.obey(command, context) : [];
    } else {
      decisions = this.decide(event, context);
    }
    const wake = earliest(this.fallbackWake, this.order?.until);
    if (wake !== undefined && wake !== this.engineWake) {
      this.engineWake = wake;
      decisions.push({ type: 'wake', at: wake });
    }
    return decisions.length ? decisions : NO_DECISIONS;
  }

  describe(): Record<string, unknown> {
    return {
      owner: this.order ? 'oracle' : 'fallback',
      fallback: this.fallback.name,
      ...(this.order ? { order: { ...this.order } } : {}),
      ...(this.lastEnded ? { lastLeaseEnded: { ...this.lastEnded } } : {}),
      ...(this.fallback.describe ? { fallbackState: this.fallback.describe() } : {}),
    };
  }

  // ---------------------------------------------------------------- orders

  private obey(command: OracleCommand, context: StrategyContext): StrategyDecision[] {
    switch (command.op) {
      case 'select': {
        if (!context.endpoint(command.endpoint) || command.until <= context.now) return [];
        this.order = { endpoint: command.endpoint, mode: command.mode, until: command.until };
        return this.enforce(context);
      }
      case 'release':
        // From now on the fallback decides, starting with the next event it sees.
        if (this.order) this.endOrder(command.reason, context.now);
        return [];
      case 'probe':
        return this.probe(command.endpoint, context);
    }
  }

  private probe(endpoint: string, context: StrategyContext): StrategyDecision[] {
    if (!context.endpoint(endpoint)) return [];
    const inBand =
      context.probeSupport === 'yes' || (context.probeSupport === 'unknown' && endpoint === context.active);
    if (inBand) {
      if (context.sessionEstablishedAt === undefined) {
        this.notify({ type: 'probe-result', endpoint, via: 'probe', rttMs: null, error: 'no-session' });
        return [];
      }
      return [{ type: 'probe', endpoint }];
    }
    // The engine ignores a strategy's initiation within 250 ms of the last one (STRATEGY_INITIATION_FLOOR).
    if (context.lastInitiationAt !== undefined && context.now - context.lastInitiationAt < 250) {
      this.notify({ type: 'probe-result', endpoint, via: 'handshake', rttMs: null, error: 'rate-limited' });
      return [];
    }
    this.probeHandshake = { endpoint, at: context.now };
    return [{ type: 'initiate', targets: [{ endpoint, delayMs: 0 }] }];
  }

  /** Whether the oracle's order decides now (prefer yields while its endpoint is DOWN). */
  private owning(context: StrategyContext): boolean {
    const order = this.order;
    if (!order) return false;
    return order.mode === 'pin' || context.endpoint(order.endpoint)?.state !== 'down';
  }

  /** The ordered endpoint is active (when the order decides). */
  private enforce(context: StrategyContext): StrategyDecision[] {
    const order = this.order;
    if (!order || !this.owning(context) || context.active === order.endpoint) return [];
    this.notify({ type: 'activating', endpoint: order.endpoint, cause: 'oracle' });
    return [{ type: 'activate', endpoint: order.endpoint }];
  }

  /** The order lapsed on our own clock, or its endpoint left the set. */
  private checkOrder(context: StrategyContext): void {
    const order = this.order;
    if (!order) return;
    if (context.now >= order.until) this.endOrder('expired', context.now, true);
    else if (!context.endpoint(order.endpoint)) this.endOrder('endpoint-removed', context.now, true);
  }

  private endOrder(reason: LeaseEndReason, now: number, ownClock = false): void {
    this.order = undefined;
    this.lastEnded = { reason, at: now };
    if (ownClock) this.notify({ type: 'lease-ended', reason });
  }

  // ---------------------------------------------------------------- events

  private decide(event: StrategyEvent, context: StrategyContext): StrategyDecision[] {
    // The answer to a probe: report it; it never moves the active endpoint.
    let probeAnswer = false;
    if (event.type === 'probe-reply') {
      this.notify({ type: 'probe-result', endpoint: event.endpoint, via: 'probe', rttMs: event.rttMs });
    } else if (
      event.type === 'handshake-complete' &&
      event.role === 'initiator' &&
      this.probeHandshake?.endpoint === event.endpoint
    ) {
      this.notify({
        type: 'probe-result',
        endpoint: event.endpoint,
        via: 'handshake',
        rttMs: event.rttMs ?? context.now - this.probeHandshake.at,
      });
      this.probeHandshake = undefined;
      probeAnswer = event.endpoint !== context.active;
    } else if (event.type === 'handshake-complete' && event.role === 'initiator') {
      this.probeHandshake = undefined;
    }
    const decisions = this.fallbackDecides(event, context, !probeAnswer);
    if (!this.owning(context)) return decisions;
    // The order decides: the fallback may measure, but not move the peer or start races.
    const kept: StrategyDecision[] = decisions.filter((d) => d.type === 'probe');
    if (event.type === 'handshake-needed')
      kept.push({ type: 'initiate', targets: [{ endpoint: this.order!.endpoint, delayMs: 0 }] });
    return [...kept, ...this.enforce(context)];
  }

  /**
   * The fallback's answer to an event (timers only when its own wake is due), its wake request
   * kept apart; `mayActivate` false drops its activations (after a probe's handshake).
   */
  private fallbackDecides(
    event: StrategyEvent,
    context: StrategyContext,
    mayActivate: boolean,
  ): StrategyDecision[] {
    if (event.type === 'timer' && (this.fallbackWake === undefined || this.fallbackWake > context.now))
      return [];
    if (event.type === 'timer') this.fallbackWake = undefined;
    const out: StrategyDecision[] = [];
    for (const decision of this.fallback.handle(event, context)) {
      if (decision.type === 'wake') this.fallbackWake = decision.at;
      else if (decision.type !== 'activate') out.push(decision);
      else if (mayActivate && decision.endpoint !== context.active) {
        if (!this.owning(context))
          this.notify({ type: 'activating', endpoint: decision.endpoint, cause: 'fallback' });
        out.push(decision);
      }
    }
    return out;
  }

  private notify(notice: OracleNotice): void {
    try {
      this.onNotice?.(notice);
    } catch {
      // a listener's failure is not the strategy's: handle() must not throw
    }
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
