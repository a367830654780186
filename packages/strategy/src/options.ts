/**
 * Strategy options as written after `Strategy = name` in a config (`head-start=10ms`): typed
 * readers whose errors name the option and the offending value.
 */
import { StrategyError } from './errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s)?$/;

/** A duration option in ms: `250`, `250ms` or `1.5s`. */
export function durationOption(
  options: Readonly<Record<string, string>>,
  key: string,
  fallbackMs: number,
): number {
  const text = options[key];
  if (text === undefined) return fallbackMs;
  const match = DURATION.exec(text.trim());
  if (!match)
    throw new StrategyError('BAD_OPTION', `option ${key}: "${text}" is not a duration (e.g. 10ms, 1.5s)`);
  const value = Number(match[1]);
  return match[2] === 's' ? value * 1000 : value;
}

/** A duration option in ms (as `durationOption`) that must be at least `minimumMs`. */
export function durationAtLeast(
  options: Readonly<Record<string, string>>,
  key: string,
  fallbackMs: number,
  minimumMs: number,
): number {
  const value = durationOption(options, key, fallbackMs);
  if (!(value >= minimumMs))
    throw new StrategyError(
      'BAD_OPTION',
      `option ${key}: must be at least ${minimumMs} ms (got ${value} ms)`,
    );
  return value;
}

/** Refuses options the strategy does not know, naming them. */
export function expectOnlyOptions(
  options: Readonly<Record<string, string>>,
  known: readonly string[],
  strategy: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const list = known.length ? known.join(', ') : 'none';
      throw new StrategyError('BAD_OPTION', `strategy ${strategy} has no option "${key}" (known: ${list})`);
    }
  }
}

const COUNT = /^\d+$/;
const RATIO = /^(\d+(?:\.\d+)?)(%)?$/;

/** A whole-number option (`down-after=3`) within [min, max]. */
export function countOption(
  options: Readonly<Record<string, string>>,
  key: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = options[key];
  if (text === undefined) return fallback;
  const trimmed = text.trim();
  const value = COUNT.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(value >= min && value <= max))
    throw new StrategyError('BAD_OPTION', `option ${key}: "${text}" is not a whole number in ${min}..${max}`);
  return value;
}

/** A fraction option, written `0.15` or `15%`, within [min, max]. */
export function ratioOption(
  options: Readonly<Record<string, string>>,
  key: string,
  fallback: number,
  min = 0,
  max = 1,
): number {
  const text = options[key];
  if (text === undefined) return fallback;
  const match = RATIO.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value >= min && value <= max))
    throw new StrategyError(
      'BAD_OPTION',
      `option ${key}: "${text}" is not a fraction in ${min}..${max} (e.g. 0.15 or 15%)`,
    );
  return value;
}

/** An on/off option: `on`, `off`, `true`, `false`, `yes`, `no`. */
export function switchOption(
  options: Readonly<Record<string, string>>,
  key: string,
  fallback: boolean,
): boolean {
  const text = options[key];
  if (text === undefined) return fallback;
  const value = text.trim().toLowerCase();
  if (value === 'on' || value === 'true' || value === 'yes') return true;
  if (value === 'off' || value === 'false' || value === 'no') return false;
  throw new StrategyError('BAD_OPTION', `option ${key}: "${text}" is not on or off`);
}
