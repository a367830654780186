/**
 * @pathwire/tun: Linux TUN interfaces for Node with batched reads and writes (a Node-API
 * addon), and an in-memory TUN pair with the same interface for tests and simulation.
 *
 * @example
 * ```ts
 * import { MemoryTun, openTun, type Tun } from '@pathwire/tun';
 *
 * // Echo every packet back (real code would route it somewhere useful).
 * function echo(tun: Tun): void {
 *   tun.onBatch((batch) => {
 *     tun.writeBatch(batch.buffer, batch.offsets, batch.lengths, batch.count);
 *   });
 * }
 * echo(process.getuid?.() === 0 ? openTun({ addresses: ['10.9.0.1/24'] }) : MemoryTun.pair()[0]);
 * ```
 */
export { type Cidr, parseCidr } from './cidr.js';
export { TunError, type TunErrorCode } from './errors.js';
export { LinuxTun, openTun, type TunOptions } from './linux-tun.js';
export { MemoryTun, type MemoryTunOptions } from './memory-tun.js';
export type { TunOffloads } from './native.js';
export type { BatchHandler, PacketBatch, Tun, TunStats } from './tun.js';
export { TunWriteQueue, type TunWriteQueueOptions } from './write-queue.js';
