/**
 * Packets queued for a TUN and written as one batch at the end of the current tick (or when
 * the queue is full): what lets the TUN's offloads coalesce consecutive TCP segments of one
 * connection into one super-packet (a packet written alone cannot be coalesced). Packets are
 * copied at push(), so the caller may reuse its buffer at once; nothing is allocated per packet.
 */
import type { Tun } from './tun.js';

export interface TunWriteQueueOptions {
  /** Most packets in one batch (default 128). */
  readonly batchSize?: number;
  /** Bytes queued before a batch is written anyway (default 256 KiB; at least one 64 KiB packet). */
  readonly bytes?: number;
  /**
   * Packets the TUN did not take (no room, interface down, refused), with the reason: after a
   * write that failed or stopped short. Never thrown: a packet a peer sent must not crash us.
   */
  readonly onRefused?: (count: number, reason: string) => void;
}

const MAX_PACKET = 65535;

/**
 * @example
 * ```ts
 * import { openTun, TunWriteQueue } from '@pathwire/tun';
 * const tun = openTun({ name: 'pw0', addresses: ['10.9.0.1/24'] });
 * const queue = new TunWriteQueue(tun, { onRefused: (n, why) => console.warn(`${n} dropped: ${why}`) });
 * queue.push(packet); // written with the other packets of this tick, coalesced where possible
 * ```
 */
export class TunWriteQueue {
  private readonly buffer: Uint8Array;
  private readonly offsets: Uint32Array;
  private readonly lengths: Uint32Array;
  private count = 0;
  private used = 0;
  private scheduled = false;
  private readonly onRefused: (count: number, reason: string) => void;

  constructor(
    private readonly tun: Tun,
    options: TunWriteQueueOptions = {},
  ) {
    const batchSize = options.batchSize ?? 128;
    this.buffer = new Uint8Array(Math.max(options.bytes ?? 256 << 10, MAX_PACKET));
    this.offsets = new Uint32Array(batchSize);
    this.lengths = new Uint32Array(batchSize);
    this.onRefused = options.onRefused ?? (() => {});
  }

  /** Packets queued and not yet written. */
  get queued(): number {
    return this.count;
  }

  /** Queues a copy of `packet`; false (nothing queued) when it is empty or larger than the TUN takes. */
  push(packet: Uint8Array): boolean {
    const length = packet.length;
    if (length === 0 || length > this.tun.maxPacketSize || length > this.buffer.length) return false;
    if (this.count === this.offsets.length || this.used + length > this.buffer.length) this.flush();
    this.buffer.set(packet, this.used);
    this.offsets[this.count] = this.used;
    this.lengths[this.count] = length;
    this.count++;
    this.used += length;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.tickFlush);
    }
    return true;
  }

  /** Writes everything queued now, as one batch. */
  flush(): void {
    const count = this.count;
    if (count === 0) return;
    this.count = 0;
    this.used = 0;
    if (this.tun.closed) {
      this.onRefused(count, 'closed');
      return;
    }
    let written = 0;
    let reason = 'no room';
    try {
      written = this.tun.writeBatch(this.buffer, this.offsets, this.lengths, count);
    } catch (error) {
      written = (error as { written?: number }).written ?? 0;
      reason = (error as Error).message;
    }
    if (written < count) this.onRefused(count - written, reason);
  }

  private readonly tickFlush = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
