/**
 * The replay window, checked against the Linux WireGuard self-test
 * `drivers/net/wireguard/selftest/counter.c` (torvalds/linux), ported call for call: each
 * `T(n, v)` there is `counter_validate(counter, n) == v`, here `check(n, v)` on a ReplayWindow.
 */
import { describe, expect, it } from 'vitest';
import { REJECT_AFTER_MESSAGES, REPLAY_WINDOW_SIZE, ReplayWindow } from './index.js';

const COUNTER_WINDOW_SIZE = REPLAY_WINDOW_SIZE;
const T_LIM = COUNTER_WINDOW_SIZE + 1;

/**
 * Linux tests REJECT_AFTER_MESSAGES = 2^64 - 2^13 - 1 on u64 counters. Counters are JS numbers here,
 * exact only up to 2^53, so the limit is injected instead. The sequence only needs it far enough
 * above T_LIM * 4 that REJECT - 1 and REJECT - 2 were never seen (5 * T_LIM is about the
 * smallest; jumping there also moves the whole window past 0). We run it with small limits, where REJECT + 1 and REJECT + 2 are exact, and with the package default
 * (2^53 - 2), where REJECT + 2 = 2^53 + 1 rounds to 2^53 (still at or past the limit).
 */
const LIMITS = [5 * T_LIM, 2 ** 20, 2 ** 40 + 12_345, REJECT_AFTER_MESSAGES];

/** Runs `T(n, v)`: mayAccept must predict the outcome, then accept must return it. */
function tester(limit: number) {
  let counter = new ReplayWindow(limit);
  let testNum = 0;
  const failures: string[] = [];
  return {
    init(): void {
      counter = new ReplayWindow(limit);
    },
    T(n: number, v: boolean): void {
      ++testNum;
      const predicted = counter.mayAccept(n);
      const accepted = counter.accept(n);
      if (accepted !== v || predicted !== v)
        failures.push(`test ${testNum}: T(${n}) accept=${accepted} mayAccept=${predicted}, expected ${v}`);
    },
    get count(): number {
      return testNum;
    },
    failures,
  };
}

describe.each(LIMITS)(
  'Linux counter.c self-test with REJECT_AFTER_MESSAGES replaced by %d',
  (REJECT_AFTER_MESSAGES) => {
    it('tests 1-34: the main sequence', () => {
      const t = tester(REJECT_AFTER_MESSAGES);
      const T = t.T;
      t.init();
      /*  1 */ T(0, true);
      /*  2 */ T(1, true);
      /*  3 */ T(1, false);
      /*  4 */ T(9, true);
      /*  5 */ T(8, true);
      /*  6 */ T(7, true);
      /*  7 */ T(7, false);
      /*  8 */ T(T_LIM, true);
      /*  9 */ T(T_LIM - 1, true);
      /* 10 */ T(T_LIM - 1, false);
      /* 11 */ T(T_LIM - 2, true);
      /* 12 */ T(2, true);
      /* 13 */ T(2, false);
      /* 14 */ T(T_LIM + 16, true);
      /* 15 */ T(3, false);
      /* 16 */ T(T_LIM + 16, false);
      /* 17 */ T(T_LIM * 4, true);
      /* 18 */ T(T_LIM * 4 - (T_LIM - 1), true);
      /* 19 */ T(10, false);
      /* 20 */ T(T_LIM * 4 - T_LIM, false);
      /* 21 */ T(T_LIM * 4 - (T_LIM + 1), false);
      /* 22 */ T(T_LIM * 4 - (T_LIM - 2), true);
      /* 23 */ T(T_LIM * 4 + 1 - T_LIM, false);
      /* 24 */ T(0, false);
      /* 25 */ T(REJECT_AFTER_MESSAGES, false);
      /* 26 */ T(REJECT_AFTER_MESSAGES - 1, true);
      /* 27 */ T(REJECT_AFTER_MESSAGES, false);
      /* 28 */ T(REJECT_AFTER_MESSAGES - 1, false);
      /* 29 */ T(REJECT_AFTER_MESSAGES - 2, true);
      /* 30 */ T(REJECT_AFTER_MESSAGES + 1, false);
      /* 31 */ T(REJECT_AFTER_MESSAGES + 2, false);
      /* 32 */ T(REJECT_AFTER_MESSAGES - 2, false);
      /* 33 */ T(REJECT_AFTER_MESSAGES - 3, true);
      /* 34 */ T(0, false);
      expect(t.failures).toEqual([]);
      expect(t.count).toBe(34);
    });

    it('bitmap wrap-around loops', () => {
      const t = tester(REJECT_AFTER_MESSAGES);
      const T = t.T;
      let i: number;

      t.init();
      for (i = 1; i <= COUNTER_WINDOW_SIZE; ++i) T(i, true);
      T(0, true);
      T(0, false);

      t.init();
      for (i = 2; i <= COUNTER_WINDOW_SIZE + 1; ++i) T(i, true);
      T(1, true);
      T(0, false);

      t.init();
      for (i = COUNTER_WINDOW_SIZE + 1; i-- > 0; ) T(i, true);

      t.init();
      for (i = COUNTER_WINDOW_SIZE + 2; i-- > 1; ) T(i, true);
      T(0, false);

      t.init();
      for (i = COUNTER_WINDOW_SIZE + 1; i-- > 1; ) T(i, true);
      T(COUNTER_WINDOW_SIZE + 1, true);
      T(0, false);

      t.init();
      for (i = COUNTER_WINDOW_SIZE + 1; i-- > 1; ) T(i, true);
      T(0, true);
      T(COUNTER_WINDOW_SIZE + 1, true);

      expect(t.failures).toEqual([]);
      // 8128+2, 8128+2, 8129, 8129+1, 8128+2, 8128+2 calls.
      expect(t.count).toBe(6 * COUNTER_WINDOW_SIZE + 11);
    });
  },
);

describe('ReplayWindow beyond the self-test', () => {
  it('greatestCounter tracks the greatest accepted counter', () => {
    const window = new ReplayWindow();
    expect(window.greatestCounter).toBe(-1);
    window.accept(5);
    window.accept(3);
    expect(window.greatestCounter).toBe(5);
    window.accept(100_000);
    expect(window.greatestCounter).toBe(100_000);
  });

  it('mayAccept records nothing', () => {
    const window = new ReplayWindow();
    for (let n = 0; n < 100; n++) expect(window.mayAccept(n)).toBe(true);
    for (let n = 0; n < 100; n++) expect(window.mayAccept(n)).toBe(true);
    expect(window.greatestCounter).toBe(-1);
    expect(window.accept(50)).toBe(true);
    expect(window.mayAccept(50)).toBe(false);
  });

  it('refuses negative, out-of-range and non-finite counters', () => {
    const window = new ReplayWindow(100);
    for (const n of [-1, 100, 101, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(window.mayAccept(n), `${n}`).toBe(false);
      expect(window.accept(n), `${n}`).toBe(false);
    }
    expect(window.greatestCounter).toBe(-1);
    expect(window.accept(99)).toBe(true);
  });

  it('matches a naive model (a set of seen counters plus the window rule) on 200,000 random operations', () => {
    const limit = 2 ** 24;
    let seed = 0xc0ffee;
    const next = (): number => {
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      return seed;
    };
    const window = new ReplayWindow(limit);
    const seen = new Set<number>();
    let greatest = -1;
    let accepted = 0;
    let base = 0;
    for (let step = 0; step < 200_000; step++) {
      // Mostly near the front, sometimes deep in or just outside the window, sometimes a big jump.
      const r = next() % 100;
      let n: number;
      if (r < 60) n = base + (next() % 64) - 32;
      else if (r < 90) n = base - (next() % (COUNTER_WINDOW_SIZE + 64));
      else if (r < 99) n = base + (next() % 300);
      else n = base + (next() % 20_000);
      if (n < 0) n = 0;
      if (n >= limit) n = limit - 1 - (next() % 3);
      const expected = n < limit && !(n + COUNTER_WINDOW_SIZE < greatest) && !seen.has(n);
      expect(window.mayAccept(n), `step ${step}: mayAccept(${n}), greatest ${greatest}`).toBe(expected);
      expect(window.accept(n), `step ${step}: accept(${n}), greatest ${greatest}`).toBe(expected);
      if (expected) {
        seen.add(n);
        accepted++;
        if (n > greatest) greatest = n;
      }
      base = Math.max(base, greatest);
    }
    expect(accepted).toBeGreaterThan(50_000);
    expect(window.greatestCounter).toBe(greatest);
  });
});
