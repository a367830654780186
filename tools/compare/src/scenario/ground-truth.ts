/**
 * Ground truth: the state of every path at every instant, from the scenario's definition alone
 * (initial link properties plus faults), and the best path among those that work. "Best" is the
 * lowest effective RTT, `rtt + 250 ms × round-trip loss` (1 % loss each way weighs like 5 ms more
 * RTT), among paths that carry the probe stream both ways; ties go to the earlier path. Load-induced queueing is not
 * a property of a path: a path filled by our own bulk traffic stays the best.
 */
import type { LinkSpec, PathChange, ScenarioDefinition } from './types.js';

/** One direction of a path as the faults left it. */
export interface DirectionState {
  rttMs: number;
  jitterMs: number;
  loss: number;
  blackhole: boolean;
  maxDatagram: number;
}

export interface PathState {
  readonly name: string;
  readonly up: DirectionState;
  readonly down: DirectionState;
  /** The client interface carrying it is up and its address family works. */
  ifaceUp: boolean;
}

/** A stretch of time during which the best path does not change. */
export interface TruthSegment {
  readonly from: number;
  readonly to: number;
  /** Name of the best path, or null when no path works. */
  readonly best: string | null;
  /** Base RTT of the best path (no jitter, no queueing), ms. */
  readonly bestRttMs: number;
  /** Effective RTT of every path, Infinity when it does not work. */
  readonly costs: Readonly<Record<string, number>>;
}

/** Milliseconds of effective RTT one unit of round-trip loss probability weighs. */
export const LOSS_WEIGHT_MS = 250;

/** Size of a probe-stream datagram on the wire (UDP payload): 16-byte header + inner padded to 16 + 16-byte tag (whitepaper §5.4.6). */
export function streamDatagramSize(scenario: ScenarioDefinition): number {
  const inner = scenario.streamSize ?? 48;
  return 16 + Math.ceil(inner / 16) * 16 + 16;
}

function directionFrom(link: LinkSpec): DirectionState {
  return {
    rttMs: link.rttMs,
    jitterMs: link.jitterMs ?? 0,
    loss: link.loss ?? 0,
    blackhole: false,
    maxDatagram: 0,
  };
}

export function applyChange(state: DirectionState, change: PathChange): void {
  if (change.rttMs !== undefined) state.rttMs = change.rttMs;
  if (change.jitterMs !== undefined) state.jitterMs = change.jitterMs;
  if (change.loss !== undefined) state.loss = change.loss;
  if (change.blackhole !== undefined) state.blackhole = change.blackhole;
  if (change.maxDatagram !== undefined) state.maxDatagram = change.maxDatagram;
}

/** Fault times in order, with the index of the fault (stable for equal times). */
export function faultTimes(scenario: ScenarioDefinition): number[] {
  return [...new Set(scenario.faults.map((f) => f.at))].sort((a, b) => a - b);
}

function ifaceOf(scenario: ScenarioDefinition, address: string): string | undefined {
  return scenario.client.find((i) => i.addresses.includes(address))?.name;
}

/** Path states after every fault at or before `t` (faults at `t` included). */
export function pathStatesAt(scenario: ScenarioDefinition, t: number): PathState[] {
  const states = scenario.paths.map((p) => ({
    name: p.name,
    up: directionFrom(p.link),
    down: directionFrom(p.link),
    ifaceUp: true,
  }));
  const downIfaces = new Set<string>();
  for (const fault of scenario.faults) {
    if (fault.at > t) continue;
    if ('path' in fault) {
      const state = states.find((s) => s.name === fault.path)!;
      const direction = fault.direction ?? 'both';
      if (direction !== 'down') applyChange(state.up, fault.set);
      if (direction !== 'up') applyChange(state.down, fault.set);
    } else if ('iface' in fault) {
      if (fault.up) downIfaces.delete(fault.iface);
      else downIfaces.add(fault.iface);
    }
  }
  for (const [i, p] of scenario.paths.entries()) {
    const iface = ifaceOf(scenario, p.client);
    states[i]!.ifaceUp = iface === undefined || !downIfaces.has(iface);
  }
  return states;
}

/** Effective RTT of a path for the probe stream, Infinity when it does not carry it both ways. */
export function pathCost(state: PathState, datagram: number): number {
  if (!state.ifaceUp) return Number.POSITIVE_INFINITY;
  for (const d of [state.up, state.down]) {
    if (d.blackhole || d.loss >= 1) return Number.POSITIVE_INFINITY;
    if (d.maxDatagram > 0 && d.maxDatagram < datagram) return Number.POSITIVE_INFINITY;
  }
  const rtt = (state.up.rttMs + state.down.rttMs) / 2;
  const loss = 1 - (1 - state.up.loss) * (1 - state.down.loss);
  return rtt + LOSS_WEIGHT_MS * loss;
}

/** The best path at every instant of the run, as segments covering [0, durationMs). */
export function groundTruth(scenario: ScenarioDefinition): TruthSegment[] {
  const datagram = streamDatagramSize(scenario);
  const cuts = [0, ...faultTimes(scenario).filter((t) => t > 0 && t < scenario.durationMs)];
  const segments: TruthSegment[] = [];
  for (const [i, from] of cuts.entries()) {
    const to = cuts[i + 1] ?? scenario.durationMs;
    const states = pathStatesAt(scenario, from);
    const costs: Record<string, number> = {};
    let best: PathState | undefined;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const state of states) {
      const cost = pathCost(state, datagram);
      costs[state.name] = cost;
      if (cost < bestCost) {
        bestCost = cost;
        best = state;
      }
    }
    const bestRttMs = best ? (best.up.rttMs + best.down.rttMs) / 2 : Number.NaN;
    const previous = segments.at(-1);
    // Merge stretches whose answer did not change.
    if (previous && previous.best === (best?.name ?? null) && previous.bestRttMs === bestRttMs) {
      segments[segments.length - 1] = { ...previous, to };
    } else {
      segments.push({ from, to, best: best?.name ?? null, bestRttMs, costs });
    }
  }
  return segments;
}

/** The segment in force at `t` (the last one for t past the end). */
export function truthAt(segments: readonly TruthSegment[], t: number): TruthSegment {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.from <= t) lo = mid;
    else hi = mid - 1;
  }
  return segments[lo]!;
}
