/**
 * The receive-side sliding replay window of RFC 6479 ("IPsec Anti-Replay Algorithm without
 * Bit Shifting"), as the Linux WireGuard module implements it (`counter_validate` in
 * `drivers/net/wireguard/receive.c`): a ring of bitmap words that is cleared word by word
 * as the window advances, never shifted. Window 8128, counters stored off by one.
 */
import { REJECT_AFTER_MESSAGES, REPLAY_BITS_TOTAL, REPLAY_WINDOW_SIZE } from './constants.js';

const WORD_BITS = 32;
const WORDS = REPLAY_BITS_TOTAL / WORD_BITS;
const WORD_MASK = WORDS - 1;

export class ReplayWindow {
  private readonly bitmap = new Uint32Array(WORDS);
  /** One more than the greatest counter accepted so far (0: none yet). */
  private greatest = 0;

  /** @param limit counters at or beyond it are always refused (REJECT_AFTER_MESSAGES). */
  constructor(private readonly limit: number = REJECT_AFTER_MESSAGES) {}

  /** Whether `counter` would be accepted, without recording it (a check before decryption). */
  mayAccept(counter: number): boolean {
    if (!(counter >= 0 && counter < this.limit) || this.greatest >= this.limit + 1) return false;
    const shifted = counter + 1;
    if (shifted + REPLAY_WINDOW_SIZE < this.greatest) return false;
    if (shifted > this.greatest) return true;
    const word = Math.floor(shifted / WORD_BITS) & WORD_MASK;
    return (this.bitmap[word]! & (1 << (shifted & (WORD_BITS - 1)))) === 0;
  }

  /** Records `counter` (after the message authenticated); false when it is a replay or too old. */
  accept(counter: number): boolean {
    if (!(counter >= 0 && counter < this.limit) || this.greatest >= this.limit + 1) return false;
    const shifted = counter + 1;
    if (shifted + REPLAY_WINDOW_SIZE < this.greatest) return false;
    const index = Math.floor(shifted / WORD_BITS);
    if (shifted > this.greatest) {
      const current = Math.floor(this.greatest / WORD_BITS);
      const top = Math.min(index - current, WORDS);
      for (let i = 1; i <= top; i++) this.bitmap[(i + current) & WORD_MASK] = 0;
      this.greatest = shifted;
    }
    const word = index & WORD_MASK;
    const bit = 1 << (shifted & (WORD_BITS - 1));
    const seen = (this.bitmap[word]! & bit) !== 0;
    this.bitmap[word]! |= bit;
    return !seen;
  }

  /** The greatest counter accepted so far, or -1. */
  get greatestCounter(): number {
    return this.greatest - 1;
  }
}
