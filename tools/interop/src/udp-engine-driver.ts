/**
 * @pathwire/engine over one real UDP socket, with the engine's own `RealtimeDriver` (as the
 * daemon uses it) and a `DgramPort`; decrypted packets and events are collected for the test.
 * Enough to prove the engine against a stock peer; the full driver with a TUN is the daemon.
 */
import type { CryptoBackend } from '@pathwire/crypto';
import { Device, type DeviceEvent, RealtimeDriver } from '@pathwire/engine';
import { DgramPort } from './dgram-port.js';

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
  private readonly port: DgramPort;
  private readonly driver: RealtimeDriver;
  private waiters: (() => void)[] = [];

  constructor(private readonly options: UdpEngineDriverOptions) {
    this.port = new DgramPort([options.family]);
    this.device = new Device({
      backend: options.backend,
      privateKey: options.privateKey,
      wallClock: RealtimeDriver.wallClock,
    });
    this.driver = new RealtimeDriver({
      device: this.device,
      datagrams: this.port,
      packets: {
        onReceive: () => {},
        write: (packet) => {
          this.packets.push(packet.slice());
          this.notify();
          return true;
        },
      },
      onEvent: (event) => {
        this.events.push(event);
        this.notify();
      },
    });
  }

  start(): Promise<number> {
    return this.port.bind(this.options.family, this.options.bindAddress);
  }

  /** Hands an inner packet to the device as if the TUN produced it. */
  sendPacket(packet: Uint8Array): void {
    this.driver.sendPacket(packet);
  }

  /** Runs device input from outside (configuration) at engine time and reschedules its wake-up. */
  run(action: (device: Device, now: number) => void): void {
    this.driver.run(action);
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
    this.driver.close();
    this.port.close();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
