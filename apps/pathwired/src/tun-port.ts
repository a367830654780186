/**
 * The TUN as the engine driver's `PacketPort`: batches read from `@pathwire/tun` go to the
 * driver as they are; a decrypted packet the TUN refuses (larger than its MTU, interface down)
 * is reported as refused, never thrown: a peer must not be able to crash the daemon.
 */
import type { PacketBatch, PacketPort } from '@pathwire/engine';
import type { LinuxTun } from '@pathwire/tun';
import type { Logger } from './log.js';

export class TunPort implements PacketPort {
  private tun: LinuxTun | undefined;
  private receive: (batch: PacketBatch) => void = () => {};

  constructor(private readonly log: Logger) {}

  /** The TUN is opened after the driver is built: reading starts here. */
  attach(tun: LinuxTun): void {
    this.tun = tun;
    tun.onBatch((batch) => {
      this.receive(batch);
      return true;
    });
  }

  onReceive(handler: (batch: PacketBatch) => void): void {
    this.receive = handler;
  }

  write(packet: Uint8Array): boolean {
    try {
      return this.tun?.write(packet) ?? false;
    } catch (error) {
      this.log.debug('TUN write refused', { length: packet.length, message: (error as Error).message });
      return false;
    }
  }
}
