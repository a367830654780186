/**
 * A small real-UDP driver for @pathwire/engine: one socket, the device's single wake-up as one
 * timer, send errors reported back. Enough to prove the engine against a stock peer; the full
 * driver with a TUN is the daemon.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { CryptoBackend } from '@pathwire/crypto';
import { Device, type DeviceEvent } from '@pathwire/engine';

export interface UdpEngineDriverOptions {
  readonly backend: CryptoBackend;
  readonly privateKey: Uint8Array;
  readonly family: 4 | 6;
  readonly bindAddress: string;
}

export class UdpEngineDriver {
  readonly device: Device;
  readonly packets: Uint8Array[] = [];
  readonly events: DeviceEvent[] = [];
  private readonly socket: Socket;
  private timer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: UdpEngineDriverOptions) {
    this.socket = createSocket(options.family === 4 ? 'udp4' : 'udp6');
    this.device = new Device({
      backend: options.backend,
      privateKey: options.privateKey,
      wallClock: () => Date.now(),
      io: {
        sendDatagram: (to, bytes) =>
          this.socket.send(bytes, to.port, to.address, (error) => {
            if (error)
              this.device.reportSendError(Date.now(), to, (error as NodeJS.ErrnoException).code ?? 'EIO');
          }),
        writePacket: (packet) => {
          this.packets.push(packet.slice());
          this.notify();
        },
        event: (event) => {
          this.events.push(event);
          this.notify();
        },
      },
    });
    this.socket.on('message', (data, info) => {
      this.device.receiveDatagram(
        Date.now(),
        { address: info.address, port: info.port },
        new Uint8Array(data),
      );
      this.schedule();
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(0, this.options.bindAddress, () => resolve());
    });
    return this.socket.address().port;
  }

  /** Hands an inner packet to the device as if the TUN produced it. */
  sendPacket(packet: Uint8Array): void {
    this.device.sendPacket(Date.now(), packet);
    this.schedule();
  }

  /** Runs device input from outside (configuration) and reschedules its wake-up. */
  run(action: (device: Device, now: number) => void): void {
    action(this.device, Date.now());
    this.schedule();
  }

  /** Waits until `predicate` holds for the received packets/events, or rejects after `timeoutMs`. */
  async waitFor(what: string, predicate: () => boolean, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket.close();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const at = this.device.nextWake();
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.device.tick(Date.now());
        this.schedule();
      },
      Math.max(0, at - Date.now()),
    );
  }
}
