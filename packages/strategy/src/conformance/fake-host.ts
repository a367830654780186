/**
 * A scripted stand-in for the engine, for the conformance suite: it keeps the endpoint views,
 * the active endpoint and the clock, hands events to a strategy exactly as the engine does, and
 * checks every answer with the engine's own `validateDecisions` before applying it.
 */
import { Random } from '@pathwire/random';
import type { StrategyDecision } from '../v1/decisions.js';
import type { EndpointView, RoundTripTime } from '../v1/endpoint-view.js';
import type { StrategyEvent } from '../v1/events.js';
import type { StrategyContext, StrategyV1 } from '../v1/strategy.js';
import { validateDecisions } from '../v1/validate.js';

export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

export interface FakeEndpoint extends EndpointView {
  sendErrors: number;
  lastSentAt: number | undefined;
  lastReceivedAt: number | undefined;
  rtt: RoundTripTime | undefined;
}

function view(address: string, port: number, order: number): FakeEndpoint {
  const family = address.includes(':') ? 6 : 4;
  return {
    key: family === 6 ? `[${address}]:${port}` : `${address}:${port}`,
    endpoint: { address, port },
    family,
    addressClass: 'documentation',
    origin: 'configured',
    order,
    state: 'unknown',
    lastSentAt: undefined,
    lastReceivedAt: undefined,
    rtt: undefined,
    loss: 0,
    sendErrors: 0,
    lastSendError: undefined,
  };
}

/** A deterministic PRNG (@pathwire/random's xoshiro128**) so a scenario replays exactly. */
export function seededRandom(seed: number): () => number {
  return Random.fromSeed(seed).toFunction();
}

export class FakeHost {
  now = 0;
  active: string | undefined;
  endpoints: FakeEndpoint[];
  wakeAt: number | undefined;
  /** What the context reports as `unansweredSince` (a scenario sets it). */
  unansweredSince: number | undefined;
  readonly log: { event: StrategyEvent; decisions: readonly StrategyDecision[] }[] = [];
  /** Initiations the strategy asked for: each a list of targets with absolute send times. */
  readonly initiations: { at: number; targets: { endpoint: string; sendAt: number }[] }[] = [];
  readonly probes: string[] = [];
  private readonly random: () => number;

  constructor(
    readonly strategy: StrategyV1,
    addresses: readonly string[],
    seed = 1,
  ) {
    this.endpoints = addresses.map((address, i) => view(address, 51820, i));
    this.random = seededRandom(seed);
  }

  endpoint(key: string): FakeEndpoint | undefined {
    return this.endpoints.find((endpoint) => endpoint.key === key);
  }

  key(index: number): string {
    const endpoint = this.endpoints[index];
    if (!endpoint) throw new ConformanceFailure(`scenario bug: no endpoint ${index}`);
    return endpoint.key;
  }

  context(): StrategyContext {
    return {
      now: this.now,
      endpoints: this.endpoints,
      active: this.active,
      lastAuthenticatedAt: undefined,
      unansweredSince: this.unansweredSince,
      sessionEstablishedAt: undefined,
      probeSupport: 'unknown',
      random: this.random,
      endpoint: (key) => this.endpoint(key),
    };
  }

  /** Delivers one event; checks and applies the decisions; returns them. */
  deliver(event: StrategyEvent): readonly StrategyDecision[] {
    let decisions: readonly StrategyDecision[];
    try {
      decisions = this.strategy.handle(event, this.context());
    } catch (error) {
      throw new ConformanceFailure(
        `handle(${event.type}) threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const check = validateDecisions(decisions, this);
    if (!check.ok) throw new ConformanceFailure(`handle(${event.type}): ${check.reason}`);
    this.log.push({ event, decisions });
    for (const decision of check.decisions) this.apply(decision);
    return decisions;
  }

  private apply(decision: StrategyDecision): void {
    switch (decision.type) {
      case 'activate':
        this.active = decision.endpoint;
        return;
      case 'initiate':
        this.initiations.push({
          at: this.now,
          targets: decision.targets.map((t) => ({ endpoint: t.endpoint, sendAt: this.now + t.delayMs })),
        });
        return;
      case 'probe':
        this.probes.push(decision.endpoint);
        return;
      case 'wake':
        this.wakeAt = decision.at;
        return;
    }
  }

  /** Advances the clock, delivering `timer` when a requested wake-up falls due. */
  advance(to: number): void {
    while (this.wakeAt !== undefined && this.wakeAt <= to) {
      this.now = Math.max(this.now, this.wakeAt);
      this.wakeAt = undefined;
      this.deliver({ type: 'timer' });
    }
    this.now = to;
  }

  /** Where the next initiation goes: the strategy's targets, or the engine's default (the active endpoint). */
  handshakeTargets(
    reason: 'staged-packet' | 'retry' | 'rekey',
    attempt = 1,
  ): { endpoint: string; sendAt: number }[] {
    const before = this.initiations.length;
    this.deliver({ type: 'handshake-needed', reason, attempt });
    const asked = this.initiations[before];
    if (asked) return asked.targets;
    const fallback = this.active ?? this.endpoints[0]?.key;
    return fallback ? [{ endpoint: fallback, sendAt: this.now }] : [];
  }
}
