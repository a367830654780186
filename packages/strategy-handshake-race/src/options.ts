/**
 * The options of `Strategy = handshake-race key=value …` (DESIGN.md, "The daemon's contract with
 * its users"), read with the shared `durationOption` / `expectOnlyOptions` helpers so that errors
 * name the option and the offending value.
 */
import { durationAtLeast, durationOption, expectOnlyOptions, StrategyError } from '@pathwire/strategy';

export interface HandshakeRaceOptions {
  /** Advantage of the active endpoint: the other copies leave this much later, ms (RFC: 10 ms). */
  readonly headStartMs: number;
  /** Data unanswered this long on the active endpoint starts a race, ms. */
  readonly suspicionMs: number;
  /** First exclusion of a failing candidate, ms; doubles per consecutive failure. */
  readonly backoffMs: number;
  /** Re-evaluation race period while traffic flows; also the cap of the backoff, ms. */
  readonly retryConfiguredMs: number;
}

export const OPTION_NAMES = ['head-start', 'suspicion', 'backoff', 'retry-configured'] as const;

export const DEFAULT_OPTIONS: HandshakeRaceOptions = {
  headStartMs: 10,
  suspicionMs: 1_500,
  backoffMs: 1_000,
  retryConfiguredMs: 30_000,
};

/** Reads and validates the options as written in a config. */
export function parseOptions(options: Readonly<Record<string, string>>): HandshakeRaceOptions {
  expectOnlyOptions(options, OPTION_NAMES, 'handshake-race');
  const headStartMs = durationOption(options, 'head-start', DEFAULT_OPTIONS.headStartMs);
  // WireGuard's REKEY_TIMEOUT is 5 s: a head start that long would never let another path win.
  if (headStartMs >= 5_000)
    throw new StrategyError('BAD_OPTION', `option head-start: must be below 5s (got ${headStartMs} ms)`);
  return {
    headStartMs,
    suspicionMs: durationAtLeast(options, 'suspicion', DEFAULT_OPTIONS.suspicionMs, 100),
    backoffMs: durationAtLeast(options, 'backoff', DEFAULT_OPTIONS.backoffMs, 1),
    retryConfiguredMs: durationAtLeast(options, 'retry-configured', DEFAULT_OPTIONS.retryConfiguredMs, 1_000),
  };
}
