/**
 * Injected time (DESIGN.md, "Time is injected"): the resolver never calls `Date.now()` or
 * `setTimeout` directly, so its unit tests run on a manual clock and replay exactly.
 */

/** The three time functions the resolver uses. Handles are opaque. */
export interface Clock {
  /** Milliseconds; only differences matter. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `Date.now` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
