/**
 * The strategy host (packages/strategy/SPEC.md): events for a peer's strategy are queued
 * (`notifyStrategy`), and `consult` hands one to the strategy and returns its validated
 * decisions. The host never sends, initiates or activates anything itself, and a strategy is
 * never called while another call is on the stack: `selection.ts` drains the queue at the end
 * of each input and turns decisions into actions.
 */
import {
  NO_DECISIONS,
  type StrategyContext,
  type StrategyDecision,
  type StrategyEvent,
  validateDecisions,
} from '@pathwire/strategy';
import type { DeviceCore } from './core.js';
import type { Peer } from './peer.js';

/** Queues `event` for the peer's strategy; it is handled when the current input is done. */
export function notifyStrategy(core: DeviceCore, peer: Peer, event: StrategyEvent): void {
  if (peer.strategyInbox.length === 0) core.unsettled.push(peer);
  peer.strategyInbox.push(event);
}

/**
 * Asks the strategy about one event and returns its decisions, checked with the contract's own
 * `validateDecisions`. A strategy that throws or answers invalidly gets a `strategy-error` event
 * and its answer is ignored as a whole (SPEC.md §4).
 */
export function consult(
  core: DeviceCore,
  peer: Peer,
  event: StrategyEvent,
  now: number,
): readonly StrategyDecision[] {
  const context = strategyContext(core, peer, now);
  let answer: unknown;
  try {
    answer = peer.strategy.handle(event, context);
  } catch (error) {
    strategyError(core, peer, error instanceof Error ? error.message : String(error));
    return NO_DECISIONS;
  }
  const check = validateDecisions(answer, context);
  if (!check.ok) {
    strategyError(core, peer, `handle(${event.type}): ${check.reason}`);
    return NO_DECISIONS;
  }
  return check.decisions;
}

export function strategyError(core: DeviceCore, peer: Peer, message: string): void {
  core.emit({ type: 'strategy-error', peer: peer.publicKeyText, message });
}

function strategyContext(core: DeviceCore, peer: Peer, now: number): StrategyContext {
  return {
    now,
    endpoints: peer.endpoints.list,
    active: peer.active?.key,
    lastAuthenticatedAt: peer.lastAuthenticatedAt,
    unansweredSince: peer.unansweredSince,
    sessionEstablishedAt: peer.current?.createdAt,
    lastInitiationAt: Number.isFinite(peer.lastInitiationSentAt) ? peer.lastInitiationSentAt : undefined,
    probeSupport: peer.probeSupport,
    random: core.random,
    endpoint: (key) => peer.endpoints.get(key),
  };
}
