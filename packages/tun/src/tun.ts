/**
 * The interface shared by the Linux TUN (`openTun`) and the in-memory pair (`MemoryTun`):
 * packets come out in batches through one handler call per batch, and go in one batch per
 * call. Ownership rule: a batch's memory belongs to the TUN and is reused as soon as the
 * handler returns; copy what you keep.
 */
import type { TunError } from './errors.js';

/**
 * Packets read in one wake-up. Packet `i` (for `i < count`) is
 * `buffer.subarray(offsets[i], offsets[i] + lengths[i])`. Valid only during the handler call.
 */
export interface PacketBatch {
  readonly buffer: Uint8Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly count: number;
}

/** Handles a batch; returning `false` pauses reading until `resume()` (backpressure). */
export type BatchHandler = (batch: PacketBatch) => boolean | undefined;

export interface TunStats {
  /** Packets handed to the batch handler. */
  readonly packetsRead: number;
  /** Handler calls (so `packetsRead / batchesRead` is the mean batch size). */
  readonly batchesRead: number;
  /** Packets dropped: malformed offload headers (Linux) or a full queue (memory). */
  readonly dropped: number;
  /** TCP/UDP super-packets read with offloads and split into `packetsRead` (Linux; 0 otherwise). */
  readonly superPacketsRead: number;
  readonly packetsWritten: number;
  /** `write`/`writeBatch` calls. */
  readonly writeCalls: number;
  /** Super-packets written: runs of TCP segments of one connection coalesced (Linux; 0 otherwise). */
  readonly superPacketsWritten: number;
}

export interface Tun {
  /** Interface name (Linux: as the kernel chose it). */
  readonly name: string;
  readonly mtu: number;
  /** Most packets per handler call. */
  readonly batchSize: number;
  /** Largest packet written, in bytes (writes above it are rejected). Reads take any IP packet. */
  readonly maxPacketSize: number;
  readonly paused: boolean;
  readonly closed: boolean;
  /** Sets the handler and starts reading (again calling it replaces the handler). */
  onBatch(handler: BatchHandler): this;
  /** Read errors go here; without a handler they are thrown as uncaught exceptions. */
  onError(handler: (error: TunError) => void): this;
  /** Stops reading: the kernel queues, then drops; memory stays bounded. */
  pause(): void;
  resume(): void;
  /**
   * Writes `count` packets, packet `i` being `buffer[offsets[i], offsets[i] + lengths[i])`.
   * Returns how many were written: fewer than `count` only when the kernel has no room.
   * Throws `PACKET_TOO_LARGE` (before writing anything) when a packet exceeds `maxPacketSize`.
   */
  writeBatch(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number;
  /** Writes one packet; false when the kernel has no room. */
  write(packet: Uint8Array): boolean;
  /** Lets the process exit while reading (`unref`) or keeps it alive (`ref`, the default). */
  ref(): this;
  unref(): this;
  stats(): TunStats;
  /** Idempotent; no handler call happens after it returns. */
  close(): void;
}
