/**
 * The probes' own anti-replay, per path id (DESIGN.md, heartbeat-probe "Receiver rules"). A PING
 * sent on a slow path can be overtaken by more than 8128 data packets on a faster one; it then
 * falls behind WireGuard's replay window (whitepaper §5.4.6) although it is fresh, and must still
 * be answered. Such a probe is accepted only when this guard has seen its path id and its
 * sequence is new within the path's own small window; a replayed probe is refused.
 *
 * Sequences are per path id and only increase for the sender's lifetime (path ids are random per
 * sender, so a restarted peer starts new windows). A probe that passed WireGuard's own replay
 * check is fresh by construction: it is recorded (creating its path's window) and always
 * accepted. A probe from behind WireGuard's window needs a known path id and an unseen sequence
 * inside the window (RFC 6479's bitmap, 128 sequences). At most `maxPaths` path ids are kept
 * (least recently used forgotten); a forgotten path id only makes a stale probe refused, never
 * a replay accepted. The guard also counts the probes received per path id: a PONG reports it.
 *
 * @example
 * ```ts
 * import { ProbeReplayGuard } from '@pathwire/strategy';
 * const guard = new ProbeReplayGuard();
 * guard.accept(7, 1, true);  // 'accepted' (fresh per WireGuard's window)
 * guard.accept(7, 1, false); // 'replay'
 * guard.received(7);         // 1
 * ```
 */

/** Sequences remembered per path id (a multiple of 32). */
export const PROBE_REPLAY_WINDOW = 128;
/** Path ids remembered per peer: a pathwire sender uses one per endpoint (at most 8 configured + 8 learned). */
export const PROBE_REPLAY_PATHS = 16;

/** One word more than the window: a window not aligned to words spans one more (RFC 6479 §2). */
const WORDS = PROBE_REPLAY_WINDOW / 32 + 1;

export type ProbeReplayVerdict = 'accepted' | 'replay' | 'too-old' | 'unknown-path';

class PathWindow {
  readonly bitmap = new Uint32Array(WORDS);
  /** Greatest sequence seen + 1 (0: none). */
  greatest = 0;
  received = 0;

  /** Records `sequence`; false when it was seen or is older than the window. */
  record(sequence: number): 'accepted' | 'replay' | 'too-old' {
    const shifted = sequence + 1;
    if (shifted + PROBE_REPLAY_WINDOW <= this.greatest) return 'too-old';
    const index = Math.floor(shifted / 32);
    if (shifted > this.greatest) {
      const current = Math.floor(this.greatest / 32);
      const top = Math.min(index - current, WORDS);
      for (let i = 1; i <= top; i++) this.bitmap[(current + i) % WORDS] = 0;
      this.greatest = shifted;
    }
    const word = index % WORDS;
    const bit = 1 << (shifted & 31);
    if ((this.bitmap[word]! & bit) !== 0) return 'replay';
    this.bitmap[word]! |= bit;
    this.received++;
    return 'accepted';
  }
}

export class ProbeReplayGuard {
  private readonly paths = new Map<number, PathWindow>();

  constructor(private readonly maxPaths = PROBE_REPLAY_PATHS) {}

  /**
   * Decides on a probe request with `pathId`/`sequence`. `fresh`: the data message passed
   * WireGuard's own replay window (so it is not a replay whatever this guard knows).
   */
  accept(pathId: number, sequence: number, fresh: boolean): ProbeReplayVerdict {
    let window = this.paths.get(pathId);
    if (window) {
      // Most recently used last: Map keeps insertion order.
      this.paths.delete(pathId);
      this.paths.set(pathId, window);
    } else {
      if (!fresh) return 'unknown-path';
      window = new PathWindow();
      this.paths.set(pathId, window);
      if (this.paths.size > this.maxPaths) {
        const oldest = this.paths.keys().next().value;
        if (oldest !== undefined) this.paths.delete(oldest);
      }
    }
    const verdict = window.record(sequence >>> 0);
    // A fresh message is never a replay: the sender reused a sequence (a bug, or a wrap). Answer it.
    if (fresh && verdict !== 'accepted') {
      window.received++;
      return 'accepted';
    }
    return verdict;
  }

  /** Probes received on `pathId` so far (0 when unknown). */
  received(pathId: number): number {
    return this.paths.get(pathId)?.received ?? 0;
  }

  get size(): number {
    return this.paths.size;
  }
}
