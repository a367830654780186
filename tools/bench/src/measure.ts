/** Timing loops for benchmarks: run a body repeatedly for a fixed wall time and report a rate. */

export interface Rate {
  readonly operations: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** Calls `body(i)` in batches until `seconds` have passed (after a short warm-up). */
export function measure(body: (i: number) => void, seconds = 1, batch = 64): Rate {
  const warmUntil = performance.now() + 100;
  let i = 0;
  while (performance.now() < warmUntil) body(i++);
  const start = performance.now();
  const stop = start + seconds * 1000;
  let operations = 0;
  while (performance.now() < stop) {
    for (let k = 0; k < batch; k++) body(i++);
    operations += batch;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { operations, seconds: elapsed, perSecond: operations / elapsed };
}

export function gbits(rate: Rate, bytes: number): string {
  return ((rate.perSecond * bytes * 8) / 1e9).toFixed(2);
}

export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
