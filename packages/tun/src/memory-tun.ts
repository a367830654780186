/**
 * MemoryTun: two connected in-memory TUN ends with the same interface as the Linux TUN, in
 * pure TypeScript (no native code, no `node:` import), for unit tests and the simulator.
 * Packets written to one end are read from the other, in batches, through the same handler
 * shape. Each end's receive queue is a fixed ring of `queueLength` slots (like a kernel
 * txqueuelen): when it is full, packets are dropped and counted, so memory stays bounded
 * while a reader is paused. Batches are views into that ring (no copy on delivery).
 */
import { TunError } from './errors.js';
import type { BatchHandler, PacketBatch, Tun, TunStats } from './tun.js';

export interface MemoryTunOptions {
  /** Names of the two ends; default `mem0` and `mem1`. */
  readonly names?: readonly [string, string];
  readonly mtu?: number;
  readonly batchSize?: number;
  /** Default: the MTU. */
  readonly maxPacketSize?: number;
  /** Packets each end can hold unread; default 500. */
  readonly queueLength?: number;
  /**
   * How deliveries are scheduled: `'immediate'` (default: `setImmediate`, or `setTimeout(0)`
   * where there is none), `'manual'` (nothing happens until you call `flush()`; for the
   * deterministic simulator), or your own scheduler.
   */
  readonly schedule?: 'immediate' | 'manual' | ((run: () => void) => void);
}

class RingBatch implements PacketBatch {
  count = 0;
  constructor(
    readonly buffer: Uint8Array,
    readonly offsets: Uint32Array,
    readonly lengths: Uint32Array,
  ) {}
}

function defaultScheduler(run: () => void): void {
  const immediate = (globalThis as { setImmediate?: (run: () => void) => unknown }).setImmediate;
  if (immediate) immediate(run);
  else setTimeout(run, 0);
}

/**
 * One end of an in-memory TUN pair.
 *
 * @example
 * ```ts
 * import { MemoryTun } from '@pathwire/tun';
 * const [a, b] = MemoryTun.pair({ mtu: 1420 });
 * b.onBatch((batch) => {
 *   console.log(`${batch.count} packet(s), first is ${batch.lengths[0]} bytes`);
 * });
 * a.write(new Uint8Array(20).fill(0x45, 0, 1)); // an (empty) IPv4 header
 * ```
 */
export class MemoryTun implements Tun {
  readonly name: string;
  readonly mtu: number;
  readonly batchSize: number;
  readonly maxPacketSize: number;
  readonly queueLength: number;
  private peer: MemoryTun | null = null;
  private readonly ring: Uint8Array;
  private readonly queueLengths: Uint32Array;
  private readonly batch: RingBatch;
  private head = 0;
  private size = 0;
  private handler: BatchHandler | null = null;
  private isPaused = true;
  private isClosed = false;
  private scheduled = false;
  private readonly schedule: ((run: () => void) => void) | null;
  private readonly counters = {
    packetsRead: 0,
    batchesRead: 0,
    dropped: 0,
    superPacketsRead: 0,
    superPacketsWritten: 0,
    packetsWritten: 0,
    writeCalls: 0,
  };

  /** Two connected ends: what `a` writes, `b` reads, and the other way round. */
  static pair(options: MemoryTunOptions = {}): [MemoryTun, MemoryTun] {
    const a = new MemoryTun(options.names?.[0] ?? 'mem0', options);
    const b = new MemoryTun(options.names?.[1] ?? 'mem1', options);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  private constructor(name: string, options: MemoryTunOptions) {
    this.name = name;
    this.mtu = options.mtu ?? 1420;
    this.batchSize = options.batchSize ?? 64;
    this.maxPacketSize = options.maxPacketSize ?? this.mtu;
    this.queueLength = options.queueLength ?? 500;
    for (const [what, value, min] of [
      ['mtu', this.mtu, 68],
      ['batchSize', this.batchSize, 1],
      ['maxPacketSize', this.maxPacketSize, this.mtu],
      ['queueLength', this.queueLength, 1],
    ] as const) {
      if (!Number.isInteger(value) || value < min || value > 65535) {
        throw new TunError(
          what === 'mtu' ? 'INVALID_MTU' : 'INVALID_OPTION',
          `${what} must be an integer in ${min}..65535`,
        );
      }
    }
    const schedule = options.schedule ?? 'immediate';
    this.schedule = schedule === 'manual' ? null : schedule === 'immediate' ? defaultScheduler : schedule;
    this.ring = new Uint8Array(this.queueLength * this.maxPacketSize);
    this.batch = new RingBatch(this.ring, new Uint32Array(this.batchSize), new Uint32Array(this.batchSize));
    this.queueLengths = new Uint32Array(this.queueLength);
  }

  get paused(): boolean {
    return this.isPaused;
  }
  get closed(): boolean {
    return this.isClosed;
  }
  /** Packets waiting to be read at this end. */
  get queued(): number {
    return this.size;
  }

  onBatch(handler: BatchHandler): this {
    if (this.isClosed) throw new TunError('CLOSED', `${this.name} is closed`);
    this.handler = handler;
    this.isPaused = false;
    this.kick();
    return this;
  }

  onError(_handler: (error: TunError) => void): this {
    return this; // in-memory reads cannot fail
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    if (this.isClosed || this.handler === null) return;
    this.isPaused = false;
    this.kick();
  }

  write(packet: Uint8Array): boolean {
    this.checkWritable(packet.length, 0);
    this.counters.writeCalls++;
    this.peer!.enqueue(packet, 0, packet.length);
    this.counters.packetsWritten++;
    return true;
  }

  writeBatch(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number {
    if (count > offsets.length || count > lengths.length) {
      throw new TunError('INVALID_OPTION', `count ${count} exceeds offsets or lengths`);
    }
    for (let i = 0; i < count; i++) {
      this.checkWritable(lengths[i]!, i);
      if (offsets[i]! + lengths[i]! > buffer.length) {
        throw new TunError('INVALID_PACKET', `packet ${i} lies outside the buffer`);
      }
    }
    this.counters.writeCalls++;
    const peer = this.peer!;
    for (let i = 0; i < count; i++) peer.enqueue(buffer, offsets[i]!, lengths[i]!);
    this.counters.packetsWritten += count;
    return count;
  }

  private checkWritable(length: number, index: number): void {
    if (this.isClosed) throw new TunError('CLOSED', `${this.name} is closed`);
    if (length > this.maxPacketSize) {
      throw new TunError(
        'PACKET_TOO_LARGE',
        `cannot write to ${this.name}: packet ${index} is ${length} bytes, more than maxPacketSize ${this.maxPacketSize}`,
        'EMSGSIZE',
        'write',
      );
    }
    if (length === 0)
      throw new TunError('INVALID_PACKET', `${this.name} refused packet ${index}: it is empty`, 'EINVAL');
  }

  /** Copies a packet into this end's ring, or drops it (queue full, or this end closed). */
  private enqueue(source: Uint8Array, offset: number, length: number): void {
    if (this.isClosed || this.size === this.queueLength) {
      this.counters.dropped++;
      return;
    }
    const slot = (this.head + this.size) % this.queueLength;
    this.ring.set(source.subarray(offset, offset + length), slot * this.maxPacketSize);
    this.queueLengths[slot] = length;
    this.size++;
    this.kick();
  }

  private kick(): void {
    if (this.scheduled || this.schedule === null || this.isPaused || this.handler === null || this.size === 0)
      return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      if (this.deliverOne()) this.kick();
    });
  }

  /** Delivers one batch; true when more could follow. */
  private deliverOne(): boolean {
    if (this.isClosed || this.isPaused || this.handler === null || this.size === 0) return false;
    const batch = this.batch;
    const count = Math.min(this.size, this.batchSize);
    for (let i = 0; i < count; i++) {
      const slot = (this.head + i) % this.queueLength;
      batch.offsets[i] = slot * this.maxPacketSize;
      batch.lengths[i] = this.queueLengths[slot]!;
    }
    batch.count = count;
    this.counters.packetsRead += count;
    this.counters.batchesRead++;
    let more: boolean | undefined;
    try {
      more = this.handler(batch);
    } finally {
      batch.count = 0;
      // The slots are free only now, after the handler returned.
      this.head = (this.head + count) % this.queueLength;
      this.size -= count;
    }
    if (more === false) this.isPaused = true;
    return !this.isPaused && this.size > 0;
  }

  /**
   * Delivers queued packets now, synchronously, batch by batch, until the queue is empty or
   * reading pauses; returns the number of packets delivered. The way to drive a `'manual'` pair.
   */
  flush(): number {
    const before = this.counters.packetsRead;
    while (this.deliverOne()) {}
    return this.counters.packetsRead - before;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  stats(): TunStats {
    return { ...this.counters };
  }

  close(): void {
    this.isClosed = true;
    this.isPaused = true;
    this.handler = null;
    this.size = 0;
  }
}
