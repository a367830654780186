/**
 * The TUN as the engine driver's `PacketPort`: batches read from `@pathwire/tun` go to the
 * driver as they are; decrypted packets are copied into a `TunWriteQueue` and written a batch
 * per tick (so the TUN's offloads can coalesce them). A packet the TUN refuses (larger than its
 * MTU, interface down) is counted as refused, never thrown: a peer must not crash the daemon.
 */
import type { PacketBatch, PacketPort } from '@pathwire/engine';
import { type LinuxTun, TunWriteQueue } from '@pathwire/tun';
import type { Logger } from './log.js';

export class TunPort implements PacketPort {
  private queue: TunWriteQueue | undefined;
  private receive: (batch: PacketBatch) => void = () => {};

  constructor(
    private readonly log: Logger,
    /** Packets the TUN refused when the queue was written out (after `write` said yes). */
    private readonly onRefused: (count: number) => void,
  ) {}

  /** The TUN is opened after the driver is built: reading starts here. */
  attach(tun: LinuxTun): void {
    this.queue = new TunWriteQueue(tun, {
      onRefused: (count, reason) => {
        this.onRefused(count);
        this.log.debug('TUN write refused', { packets: count, reason });
      },
    });
    tun.onBatch((batch) => {
      this.receive(batch);
      return true;
    });
  }

  onReceive(handler: (batch: PacketBatch) => void): void {
    this.receive = handler;
  }

  /** Queues a copy of `packet` (written with the others of this tick); false when refused at once. */
  write(packet: Uint8Array): boolean {
    return this.queue?.push(packet) ?? false;
  }
}
