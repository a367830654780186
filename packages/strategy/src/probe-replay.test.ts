import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBE_REPLAY_PATHS, PROBE_REPLAY_WINDOW, ProbeReplayGuard } from './probe-replay.js';

describe('probe anti-replay per path', () => {
  it('answers a stale (behind WireGuard’s window) probe once, and never its replay', () => {
    const guard = new ProbeReplayGuard();
    expect(guard.accept(1, 0, true)).toBe('accepted');
    expect(guard.accept(1, 1, false)).toBe('accepted'); // overtaken by >8128 data packets
    expect(guard.accept(1, 1, false)).toBe('replay');
    expect(guard.received(1)).toBe(2);
  });

  it('refuses a stale probe on a path id it never saw fresh', () => {
    const guard = new ProbeReplayGuard();
    expect(guard.accept(9, 5, false)).toBe('unknown-path');
    expect(guard.received(9)).toBe(0);
  });

  it('refuses stale probes older than its window, accepts out-of-order ones inside it', () => {
    const guard = new ProbeReplayGuard();
    guard.accept(1, 1000, true);
    expect(guard.accept(1, 1000 - PROBE_REPLAY_WINDOW, false)).toBe('too-old');
    expect(guard.accept(1, 1000 - PROBE_REPLAY_WINDOW + 1, false)).toBe('accepted');
    expect(guard.accept(1, 999, false)).toBe('accepted');
    expect(guard.accept(1, 1001, false)).toBe('accepted');
    expect(guard.accept(1, 999, false)).toBe('replay');
  });

  it('a fresh message is always answered (WireGuard proved it unique)', () => {
    const guard = new ProbeReplayGuard();
    guard.accept(1, 5, true);
    expect(guard.accept(1, 5, true)).toBe('accepted');
  });

  it('keeps at most PROBE_REPLAY_PATHS path ids; a forgotten one makes stale probes refused', () => {
    const guard = new ProbeReplayGuard();
    for (let path = 0; path <= PROBE_REPLAY_PATHS; path++) guard.accept(path, 0, true);
    expect(guard.size).toBe(PROBE_REPLAY_PATHS);
    expect(guard.accept(0, 1, false)).toBe('unknown-path');
    expect(guard.accept(PROBE_REPLAY_PATHS, 1, false)).toBe('accepted');
  });

  it('accepts each stale sequence at most once, in any order (fast-check against a model)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 400 }), fc.boolean()), { maxLength: 300 }), (probes) => {
        const guard = new ProbeReplayGuard();
        guard.accept(1, 0, true);
        const seen = new Set<number>([0]);
        let greatest = 0;
        for (const [sequence, fresh] of probes) {
          const verdict = guard.accept(1, sequence, fresh);
          if (fresh) expect(verdict).toBe('accepted');
          else if (seen.has(sequence)) expect(verdict).not.toBe('accepted');
          else if (sequence + PROBE_REPLAY_WINDOW <= greatest) expect(verdict).toBe('too-old');
          else expect(verdict).toBe('accepted');
          if (verdict === 'accepted') seen.add(sequence);
          greatest = Math.max(greatest, sequence);
        }
      }),
    );
  });
});
