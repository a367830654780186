/**
 * Endpoint selection, the engine's side of the strategy contract: which endpoint is active,
 * changes to the endpoint set, and `settle`, the one place where a strategy's decisions become
 * actions. `settle` runs at the end of each input (and where the protocol needs the strategy's
 * answer before going on, e.g. before staged packets follow a completed handshake); it drains
 * the peer's queued events one at a time, so a strategy is never re-entered.
 */
import type { InitiationTarget, StrategyDecision, StrategyEvent } from '@pathwire/strategy';
import { STRATEGY_INITIATION_FLOOR } from './constants.js';
import type { DeviceCore } from './core.js';
import type { EndpointRecord, EndpointSetChange } from './endpoint-set.js';
import { initiate } from './handshake.js';
import type { Peer } from './peer.js';
import { sendProbe } from './probe.js';
import { consult, notifyStrategy, strategyError } from './strategy-host.js';
import { reschedule } from './timers.js';

/** Events one peer's strategy may handle in one settle before the rest are dropped as a storm. */
const MAX_EVENTS_PER_SETTLE = 64;

/** Hands every queued event of `peer` to its strategy and applies the answers. */
export function settle(core: DeviceCore, peer: Peer, now: number): void {
  if (!core.owns(peer)) {
    peer.strategyInbox.length = 0;
    return;
  }
  let budget = MAX_EVENTS_PER_SETTLE;
  for (let event = peer.strategyInbox.shift(); event; event = peer.strategyInbox.shift()) {
    if (budget-- === 0) {
      strategyError(
        core,
        peer,
        `more than ${MAX_EVENTS_PER_SETTLE} events in one input: the rest were dropped`,
      );
      peer.strategyInbox.length = 0;
      peer.handshakeQueued = false;
      break;
    }
    apply(core, peer, event, consult(core, peer, event, now), now);
  }
  reschedule(core, peer);
}

/** Settles every peer with queued events. */
export function settleAll(core: DeviceCore, now: number): void {
  for (let peer = core.unsettled.shift(); peer; peer = core.unsettled.shift()) settle(core, peer, now);
}

function apply(
  core: DeviceCore,
  peer: Peer,
  event: StrategyEvent,
  decisions: readonly StrategyDecision[],
  now: number,
): void {
  let targets: readonly InitiationTarget[] | undefined;
  for (const decision of decisions) {
    switch (decision.type) {
      case 'activate': {
        const record = peer.endpoints.get(decision.endpoint);
        if (record) activate(core, peer, record);
        break;
      }
      case 'initiate':
        if (event.type === 'handshake-needed') targets ??= decision.targets;
        else if (!peer.handshakeQueued && now - peer.lastInitiationSentAt >= STRATEGY_INITIATION_FLOOR) {
          // A handshake the strategy starts by itself (SPEC.md §5: rate-limited).
          peer.handshakeAttempts = Math.max(peer.handshakeAttempts, 1);
          initiate(core, peer, now, decision.targets);
        }
        break;
      case 'probe':
        sendProbe(core, peer, decision.endpoint, now);
        break;
      case 'wake':
        peer.strategyWakeAt = Math.max(decision.at, now);
        break;
    }
  }
  if (event.type === 'handshake-needed') {
    // The engine's own handshake: it goes out, where the strategy said or to the default.
    peer.handshakeQueued = false;
    initiate(core, peer, now, targets);
  }
}

/** Makes `record` the endpoint that carries the peer's data. */
export function activate(core: DeviceCore, peer: Peer, record: EndpointRecord): void {
  if (peer.active === record) return;
  const from = peer.active?.endpoint;
  peer.active = record;
  // A new path: the unanswered clock starts over on it.
  peer.unansweredSince = undefined;
  core.emit({ type: 'endpoint-changed', peer: peer.publicKeyText, from, to: record.endpoint });
}

/** The endpoint set changed: forget what was removed, tell the strategy. */
export function endpointsChanged(core: DeviceCore, peer: Peer, change: EndpointSetChange): void {
  if (change.added.length === 0 && change.removed.length === 0) return;
  for (const key of change.removed) peer.authenticatedEventAt.delete(key);
  notifyStrategy(core, peer, { type: 'endpoints-changed', added: change.added, removed: change.removed });
}
