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
