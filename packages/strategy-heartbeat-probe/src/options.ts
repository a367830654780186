/**
 * Every constant of heartbeat-probe, named, explained next to its default, and overridable as
 * `Strategy = heartbeat-probe, key=value` (DESIGN.md, heartbeat-probe "Timing" and "Choosing").
 * The handshake-race options (`head-start`, `suspicion`, `backoff`, `retry-configured`) are
 * accepted too: they tune the fallback used against stock WireGuard peers.
 */
import {
  countOption,
  durationAtLeast,
  expectOnlyOptions,
  ratioOption,
  StrategyError,
  switchOption,
} from '@pathwire/strategy';
import { OPTION_NAMES as RACE_OPTION_NAMES } from '@pathwire/strategy-handshake-race';

export interface HeartbeatProbeOptions {
  /**
   * `suspect-floor`: the active path is SUSPECT when we sent and heard nothing back for
   * max(2·SRTT + 4·RTTVAR, this). 250 ms: below it, ordinary jitter and delayed ACKs of a
   * busy peer raise false alarms; above it, the ≤ 0.5 s outage goal is out of reach.
   */
  readonly suspectFloorMs: number;
  /**
   * `suspect-cap`: a false alarm (the peer answered our PING but sent no data: one-way traffic)
   * doubles the suspicion window, up to this. 5 s keeps a one-way flow at ≤ 1 PING per 5 s.
   */
  readonly suspectCapMs: number;
  /**
   * `probe-timeout-floor`: a PING unanswered for max(2·SRTT + 4·RTTVAR, this) is a miss (RFC
   * 6298's RTO shape, doubled SRTT for the peer's scheduling). 100 ms: 3 misses fit in the
   * outage budget after suspicion.
   */
  readonly probeTimeoutFloorMs: number;
  /** `down-after`: consecutive misses that make a path DOWN (BFD's detect multiplier is 3). */
  readonly downAfter: number;
  /** `standby-interval`: the best `standby-count` standbys are pinged this often while the tunnel is in use. */
  readonly standbyIntervalMs: number;
  /** `standby-count`: how many standbys (the best ones) get the short interval. */
  readonly standbyCount: number;
  /** `standby-others-interval`: the other standbys are pinged this often (25 s also keeps NAT mappings, which last ≥ 30 s). */
  readonly standbyOthersIntervalMs: number;
  /** `standby-jitter`: ± this fraction on every standby interval, so peers and paths do not beat in step. */
  readonly standbyJitter: number;
  /**
   * `idle-after`: no probing at all once nothing was sent on the active path for this long
   * (Tailscale's sessionActiveTimeout is 45 s too): an idle tunnel stays silent.
   */
  readonly idleAfterMs: number;
  /** `switch-margin`: a standby must score at least this fraction better than a working active path (≥ 15 %). */
  readonly switchMargin: number;
  /** `switch-margin-min`: … and at least this much better in absolute terms (5 ms: below it nobody notices). */
  readonly switchMarginMinMs: number;
  /** `switch-checks`: … over at least this many consecutive comparisons … */
  readonly switchChecks: number;
  /** `switch-sustain`: … sustained for at least this long … */
  readonly switchSustainMs: number;
  /** `switch-interval`: … and at least this long after the previous switch. */
  readonly switchIntervalMs: number;
  /**
   * `recover-pongs`: consecutive PONGs a DOWN path needs before it is UP again; doubled each
   * further time it goes DOWN (capped at 2^`penalty-cap`), so a flapping path earns its way back
   * ever more slowly.
   */
  readonly recoverPongs: number;
  /** `penalty-cap`: the doubling of `recover-pongs` stops at 2^this. */
  readonly penaltyCap: number;
  /** `penalty-decay`: a path UP this long has its DOWN history forgotten. */
  readonly penaltyDecayMs: number;
  /** `loss-weight`: score milliseconds per unit of loss (30 % loss adds 300 ms at 1 s). */
  readonly lossWeightMs: number;
  /** `rttvar-weight`: score milliseconds per ms of RTT variation (jitter costs interactive traffic). */
  readonly rttvarWeight: number;
  /** `rtt-window`: the windowed minimum RTT looks back this far (a path whose RTT jumps shows it within the window). */
  readonly rttWindowMs: number;
  /** `duplicate`: while the active path is SUSPECT, also send data on the best healthy standby (pathwire peers only). */
  readonly duplicate: boolean;
  /** `hello-interval`: while we do not know whether the peer speaks probes, a HELLO on the active endpoint this often. */
  readonly helloIntervalMs: number;
  /** The handshake-race options, for the fallback against stock peers (as written). */
  readonly race: Readonly<Record<string, string>>;
}

export const DEFAULT_OPTIONS: HeartbeatProbeOptions = {
  suspectFloorMs: 250,
  suspectCapMs: 5_000,
  probeTimeoutFloorMs: 100,
  downAfter: 3,
  standbyIntervalMs: 5_000,
  standbyCount: 2,
  standbyOthersIntervalMs: 25_000,
  standbyJitter: 0.2,
  idleAfterMs: 45_000,
  switchMargin: 0.15,
  switchMarginMinMs: 5,
  switchChecks: 3,
  switchSustainMs: 15_000,
  switchIntervalMs: 30_000,
  recoverPongs: 3,
  penaltyCap: 4,
  penaltyDecayMs: 300_000,
  lossWeightMs: 1_000,
  rttvarWeight: 1,
  rttWindowMs: 30_000,
  duplicate: true,
  helloIntervalMs: 10_000,
  race: {},
};

export const OWN_OPTION_NAMES = [
  'suspect-floor',
  'suspect-cap',
  'probe-timeout-floor',
  'down-after',
  'standby-interval',
  'standby-count',
  'standby-others-interval',
  'standby-jitter',
  'idle-after',
  'switch-margin',
  'switch-margin-min',
  'switch-checks',
  'switch-sustain',
  'switch-interval',
  'recover-pongs',
  'penalty-cap',
  'penalty-decay',
  'loss-weight',
  'rttvar-weight',
  'rtt-window',
  'duplicate',
  'hello-interval',
] as const;

export const OPTION_NAMES: readonly string[] = [...OWN_OPTION_NAMES, ...RACE_OPTION_NAMES];

/** Reads and validates the options as written in a config; errors name the option and the value. */
export function parseOptions(options: Readonly<Record<string, string>>): HeartbeatProbeOptions {
  expectOnlyOptions(options, OPTION_NAMES, 'heartbeat-probe');
  const d = DEFAULT_OPTIONS;
  const ms = (key: string, fallback: number, minimum: number) =>
    durationAtLeast(options, key, fallback, minimum);
  const race: Record<string, string> = {};
  for (const key of RACE_OPTION_NAMES) if (options[key] !== undefined) race[key] = options[key]!;
  const parsed: HeartbeatProbeOptions = {
    suspectFloorMs: ms('suspect-floor', d.suspectFloorMs, 10),
    suspectCapMs: ms('suspect-cap', d.suspectCapMs, 10),
    probeTimeoutFloorMs: ms('probe-timeout-floor', d.probeTimeoutFloorMs, 10),
    downAfter: countOption(options, 'down-after', d.downAfter, 1, 100),
    standbyIntervalMs: ms('standby-interval', d.standbyIntervalMs, 100),
    standbyCount: countOption(options, 'standby-count', d.standbyCount, 0, 64),
    standbyOthersIntervalMs: ms('standby-others-interval', d.standbyOthersIntervalMs, 100),
    standbyJitter: ratioOption(options, 'standby-jitter', d.standbyJitter, 0, 0.5),
    idleAfterMs: ms('idle-after', d.idleAfterMs, 0),
    switchMargin: ratioOption(options, 'switch-margin', d.switchMargin, 0, 0.9),
    switchMarginMinMs: ms('switch-margin-min', d.switchMarginMinMs, 0),
    switchChecks: countOption(options, 'switch-checks', d.switchChecks, 1, 1000),
    switchSustainMs: ms('switch-sustain', d.switchSustainMs, 0),
    switchIntervalMs: ms('switch-interval', d.switchIntervalMs, 0),
    recoverPongs: countOption(options, 'recover-pongs', d.recoverPongs, 1, 1000),
    penaltyCap: countOption(options, 'penalty-cap', d.penaltyCap, 0, 16),
    penaltyDecayMs: ms('penalty-decay', d.penaltyDecayMs, 0),
    lossWeightMs: ms('loss-weight', d.lossWeightMs, 0),
    rttvarWeight: ratioOption(options, 'rttvar-weight', d.rttvarWeight, 0, 100),
    rttWindowMs: ms('rtt-window', d.rttWindowMs, 100),
    duplicate: switchOption(options, 'duplicate', d.duplicate),
    helloIntervalMs: ms('hello-interval', d.helloIntervalMs, 100),
    race,
  };
  if (parsed.suspectCapMs < parsed.suspectFloorMs) {
    throw new StrategyError(
      'BAD_OPTION',
      `option suspect-cap: ${parsed.suspectCapMs} ms is below suspect-floor (${parsed.suspectFloorMs} ms)`,
    );
  }
  return parsed;
}
