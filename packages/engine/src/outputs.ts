/**
 * What one input to the device produced, queued and drained afterwards (boringtun's
 * `TunnResult`, batch-shaped): datagrams to endpoint E from local address L, packets for the
 * TUN, events, and drop counts. The device never calls its driver in the middle of a decision;
 * the driver gets everything at once when the input is done. The queues are parallel arrays
 * reused from input to input, so the hot path allocates no output objects.
 */
import type { Endpoint } from '@pathwire/strategy';
import type { DeviceEvent, DeviceIO, DropReason } from './events.js';

export class Outputs {
  private datagrams = 0;
  private readonly to: Endpoint[] = [];
  private readonly bytes: Uint8Array[] = [];
  private readonly from: (string | undefined)[] = [];
  private packetCount = 0;
  private readonly packets: Uint8Array[] = [];
  private readonly events: DeviceEvent[] = [];
  /** Drops per reason since the device started (never reset). */
  readonly drops: Record<string, number> = {};

  /** Send `bytes` (handed over) to `to`, from local address `from` when known. */
  datagram(to: Endpoint, bytes: Uint8Array, from: string | undefined): void {
    const i = this.datagrams++;
    this.to[i] = to;
    this.bytes[i] = bytes;
    this.from[i] = from;
  }

  /** Write this decrypted packet to the TUN (a view valid until the outputs are drained). */
  packet(packet: Uint8Array): void {
    this.packets[this.packetCount++] = packet;
  }

  event(event: DeviceEvent): void {
    this.events.push(event);
  }

  drop(reason: DropReason): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  get empty(): boolean {
    return this.datagrams === 0 && this.packetCount === 0 && this.events.length === 0;
  }

  /**
   * Hands everything queued to `io` (datagrams, then packets, then events) and empties the
   * queues. Outputs queued while it runs (an input `io` made synchronously, e.g. a loopback
   * pair of devices) are handed over in the same pass, in order.
   */
  drainTo(io: DeviceIO): void {
    for (let i = 0; i < this.datagrams; i++) {
      const bytes = this.bytes[i]!;
      this.bytes[i] = EMPTY;
      io.sendDatagram(this.to[i]!, bytes, this.from[i]);
    }
    this.datagrams = 0;
    for (let i = 0; i < this.packetCount; i++) {
      const packet = this.packets[i]!;
      this.packets[i] = EMPTY;
      io.writePacket(packet);
    }
    this.packetCount = 0;
    if (this.events.length > 0) {
      if (io.event) for (const event of this.events) io.event(event);
      this.events.length = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);
