/**
 * The numbers of one run (README.md, "Metrics", defines each exactly). Every value is rounded to
 * three decimals so results.json is byte-identical however the run was scheduled.
 */
import { longestOutage } from '@pathwire/netsim';
import { type TruthSegment, truthAt } from '../scenario/ground-truth.js';
import type { ChosenChange, WireCounters } from '../sim/wire-node.js';
import type { ClientObservation, Observations } from '../sim/world.js';

export interface RunMetrics {
  /** Longest run of consecutive lost probes, from the first lost probe's send time to the next delivered one's, ms. */
  outageMs: number;
  /** From the first change of the best path to the client's data first taking the new best path, ms; null: never. */
  detectionMs: number | null;
  /** Probes never answered. */
  lost: number;
  /** Extra copies of probes delivered. */
  duplicated: number;
  /** Mean over answered probes of (RTT − best available path's RTT at send time) / that RTT, %. */
  excessRttPct: number;
  /** Share of the run during which the client's data took the best path, %. */
  timeOnBestPct: number;
  /** Changes of the active endpoint after the first. */
  switches: number;
  switchesPerHour: number;
  /** Changes of the data path away from the path that was best at that instant. */
  falseFailovers: number;
  /** Every byte both peers sent beyond each application packet's first copy, UDP payload. */
  overheadBytes: number;
  overheadBytesPerSec: number;
  /** Device timer wake-ups (and oracle wake-ups) per minute, per client. */
  wakeupsPerMin: number;
}

export const round = (x: number): number => Math.round(x * 1000) / 1000;

function chosenAt(chosen: readonly ChosenChange[], t: number): string | null {
  let path: string | null = null;
  for (const c of chosen) {
    if (c.at > t) break;
    path = c.path;
  }
  return path;
}

/** Time during [0, end) that the chosen path equals the best path. */
function timeOnBest(chosen: readonly ChosenChange[], truth: readonly TruthSegment[], end: number): number {
  const cuts = [...new Set([0, ...chosen.map((c) => c.at), ...truth.map((s) => s.from)])]
    .filter((t) => t < end)
    .sort((a, b) => a - b);
  let total = 0;
  for (const [i, from] of cuts.entries()) {
    const to = cuts[i + 1] ?? end;
    const best = truthAt(truth, from).best;
    if (best !== null && chosenAt(chosen, from) === best) total += to - from;
  }
  return total;
}

function detection(
  chosen: readonly ChosenChange[],
  truth: readonly TruthSegment[],
  end: number,
): number | null {
  const first = truth[0]?.best;
  const change = truth.find((s) => s.best !== first && s.best !== null);
  if (!change) return null;
  const candidates = [...new Set([change.from, ...chosen.map((c) => c.at), ...truth.map((s) => s.from)])]
    .filter((t) => t >= change.from && t < end)
    .sort((a, b) => a - b);
  for (const t of candidates) {
    const best = truthAt(truth, t).best;
    if (best !== null && chosenAt(chosen, t) === best) return t - change.from;
  }
  return null;
}

function falseFailovers(chosen: readonly ChosenChange[], truth: readonly TruthSegment[]): number {
  let count = 0;
  for (let i = 1; i < chosen.length; i++) {
    const before = chosen[i - 1]!.path;
    const best = truthAt(truth, chosen[i]!.at).best;
    if (before !== null && before === best && chosen[i]!.path !== best) count++;
  }
  return count;
}

function excessRtt(client: ClientObservation, truth: readonly TruthSegment[]): { sum: number; n: number } {
  let sum = 0;
  let n = 0;
  for (const r of client.stream) {
    if (r.deliveredAt === undefined) continue;
    const best = truthAt(truth, r.sentAt);
    if (best.best === null || !(best.bestRttMs > 0)) continue;
    sum += (r.deliveredAt - r.sentAt - best.bestRttMs) / best.bestRttMs;
    n++;
  }
  return { sum, n };
}

export function overheadOf(wire: WireCounters): number {
  return wire.handshakeBytes + wire.keepaliveBytes + wire.duplicateBytes + wire.probeBytes;
}

/** The metrics of a run; several clients (a hub) give the worst outage, means of shares and sums of counts. */
export function computeMetrics(obs: Observations): RunMetrics {
  const end = obs.scenario.durationMs;
  const minutes = end / 60_000;
  let outage = 0;
  let detect: number | null = 0;
  let lost = 0;
  let duplicated = 0;
  let excessSum = 0;
  let excessN = 0;
  let onBest = 0;
  let switches = 0;
  let falses = 0;
  let wakeups = 0;
  for (const c of obs.clients) {
    const o = longestOutage(c.stream);
    outage = Math.max(outage, o?.duration ?? 0);
    const d = detection(c.chosen, obs.truth, end);
    detect = detect === null || d === null ? null : Math.max(detect, d);
    for (const r of c.stream) {
      if (r.deliveredAt === undefined) lost++;
      duplicated += r.duplicates ?? 0;
    }
    const e = excessRtt(c, obs.truth);
    excessSum += e.sum;
    excessN += e.n;
    onBest += timeOnBest(c.chosen, obs.truth, end) / end;
    switches += c.switches.length;
    falses += falseFailovers(c.chosen, obs.truth);
    wakeups += c.wakeups;
  }
  const n = obs.clients.length;
  const overhead = overheadOf(obs.wire);
  const hasChange = obs.truth.some((s) => s.best !== obs.truth[0]?.best && s.best !== null);
  return {
    outageMs: round(outage),
    detectionMs: hasChange && detect !== null ? round(detect) : null,
    lost,
    duplicated,
    excessRttPct: round(excessN === 0 ? 0 : (100 * excessSum) / excessN),
    timeOnBestPct: round((100 * onBest) / n),
    switches,
    switchesPerHour: round((switches * 3_600_000) / end),
    falseFailovers: falses,
    overheadBytes: overhead,
    overheadBytesPerSec: round((overhead * 1000) / end),
    wakeupsPerMin: round(wakeups / n / minutes),
  };
}
