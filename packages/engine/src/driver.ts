/**
 * The realtime driver: the one place the engine meets real time and real I/O (DESIGN.md,
 * "Principles"). It feeds the device batches from a `DatagramPort` (UDP) and a `PacketPort`
 * (TUN), both batch-shaped as wireguard-go's `conn.Bind` (`ReceiveFunc` hands over several
 * datagrams at once; sends are queued and flushed together), reads the device's outputs after
 * each input and hands them to the ports (the device never calls the driver), reports send
 * errors back once the outputs are out, and keeps one timer armed for the device's next wake-up.
 *
 * Engine time is monotonic (`performance.now()`): a wall-clock step can neither stretch a key's
 * life nor silence initiations. Only TAI64N timestamps and `wg show`'s handshake time use the
 * wall clock (`RealtimeDriver.wallClock`, for `DeviceOptions.wallClock`). `DeviceNode`
 * (`sim-node.ts`) is this driver's virtual-time twin for `@pathwire/netsim`.
 *
 * @example
 * ```ts
 * import { nobleBackend } from '@pathwire/crypto';
 * import { Device, RealtimeDriver } from '@pathwire/engine';
 * const device = new Device({ backend: nobleBackend, privateKey: nobleBackend.generateSecretKey(), wallClock: RealtimeDriver.wallClock });
 * const driver = new RealtimeDriver({ device, datagrams: myUdpPort, packets: myTunPort, onEvent: console.log });
 * driver.run((device, now) => device.setPeer({ publicKey, allowedIPs: ['10.0.0.2/32'] }, now));
 * // … driver.close() when done
 * ```
 */
import type { Endpoint } from '@pathwire/strategy';
import type { Device } from './device.js';
import type { DeviceEvent } from './events.js';

// The host's timers and monotonic clock (Node, Deno, browsers all have them); declared here so
// the engine builds without DOM or Node typings.
declare const performance: { now(): number };
declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

/** Received datagrams: datagram i (i < count) is `buffer[offsets[i], offsets[i] + lengths[i])`. */
export interface DatagramBatch {
  readonly count: number;
  readonly buffer: Uint8Array;
  readonly offsets: ArrayLike<number>;
  readonly lengths: ArrayLike<number>;
  readonly sourceAddresses: ArrayLike<string>;
  readonly sourcePorts: ArrayLike<number>;
  /** The local address each arrived at (IP_PKTINFO), when known. */
  readonly localAddresses: ArrayLike<string | undefined>;
}

/** The UDP side (wireguard-go `conn.Bind`). The batch's memory is valid only during the handler call. */
export interface DatagramPort {
  /** Sets the handler called once per received batch. */
  onReceive(handler: (batch: DatagramBatch) => void): void;
  /** Sets the handler for datagrams that could not be sent (errno name, e.g. ENETUNREACH). */
  onSendError(handler: (to: Endpoint, code: string) => void): void;
  /** Queues `bytes` (handed over) to `to`, from local address `from` when given. */
  send(to: Endpoint, bytes: Uint8Array, from: string | undefined): void;
  /** Sends what is queued (one sendmmsg per batch). */
  flush(): void;
}

/** Packets read from the TUN: packet i is `buffer[offsets[i], offsets[i] + lengths[i])`. */
export interface PacketBatch {
  readonly count: number;
  readonly buffer: Uint8Array;
  readonly offsets: ArrayLike<number>;
  readonly lengths: ArrayLike<number>;
}

/** The TUN side. */
export interface PacketPort {
  /** Sets the handler called once per batch of packets read. */
  onReceive(handler: (batch: PacketBatch) => void): void;
  /** Writes one decrypted packet (a view valid only during the call); false when refused. Never throws. */
  write(packet: Uint8Array): boolean;
}

export interface RealtimeDriverOptions {
  readonly device: Device;
  readonly datagrams: DatagramPort;
  /** Without one, decrypted packets are dropped as `tun-refused`; use `sendPacket` for input. */
  readonly packets?: PacketPort;
  readonly onEvent?: (event: DeviceEvent) => void;
  /** The monotonic clock, ms (default `performance.now()`; tests may inject one). */
  readonly now?: () => number;
}

export class RealtimeDriver {
  /** For `DeviceOptions.wallClock`: the wall clock, read when a TAI64N timestamp is made. */
  static readonly wallClock = (): number => Date.now();

  readonly device: Device;
  readonly now: () => number;
  private readonly datagrams: DatagramPort;
  private readonly packets: PacketPort | undefined;
  private readonly onEvent: ((event: DeviceEvent) => void) | undefined;
  private timer: unknown;
  private scheduledFor: number | undefined;
  private closed = false;
  private draining = false;
  private readonly sendErrors: { to: Endpoint; code: string }[] = [];

  constructor(options: RealtimeDriverOptions) {
    this.device = options.device;
    this.datagrams = options.datagrams;
    this.packets = options.packets;
    this.onEvent = options.onEvent;
    this.now = options.now ?? (() => performance.now());
    this.datagrams.onReceive((batch) => this.receiveDatagrams(batch));
    this.datagrams.onSendError((to, code) => {
      if (this.closed) return;
      // Reported while outputs are being handed over: handled once that is done (no re-entrancy).
      this.sendErrors.push({ to, code });
      if (!this.draining) this.settle();
    });
    this.packets?.onReceive((batch) => this.receivePackets(batch));
  }

  private receiveDatagrams(batch: DatagramBatch): void {
    if (this.closed) return;
    const now = this.now();
    for (let i = 0; i < batch.count; i++) {
      const offset = batch.offsets[i]!;
      this.device.receiveDatagram(
        now,
        { address: batch.sourceAddresses[i]!, port: batch.sourcePorts[i]! },
        batch.buffer.subarray(offset, offset + batch.lengths[i]!),
        batch.localAddresses[i],
      );
      // A decrypted packet is a view into the device's receive buffer: out before the next one.
      this.drain();
    }
    this.settle();
  }

  private receivePackets(batch: PacketBatch): void {
    if (this.closed) return;
    const now = this.now();
    for (let i = 0; i < batch.count; i++) {
      const offset = batch.offsets[i]!;
      this.device.sendPacket(now, batch.buffer.subarray(offset, offset + batch.lengths[i]!));
    }
    this.settle();
  }

  /** Sends what the UDP port has queued; send errors it reports meanwhile wait for `settle`. */
  private flush(): void {
    this.draining = true;
    try {
      this.datagrams.flush();
    } finally {
      this.draining = false;
    }
  }

  /** Hands the device's queued outputs to the ports: datagrams, packets for the TUN, events. */
  private drain(): void {
    const out = this.device.outputs;
    this.draining = true;
    try {
      for (let i = 0; i < out.datagrams; i++) this.datagrams.send(out.to[i]!, out.bytes[i]!, out.from[i]);
      for (let i = 0; i < out.packetCount; i++) {
        // A packet the TUN refuses (too large, interface down) is dropped and counted, never thrown.
        if (!this.packets?.write(out.packets[i]!)) this.device.recordDrop('tun-refused');
      }
      if (this.onEvent) for (const event of out.events) this.onEvent(event);
    } finally {
      out.clear();
      this.draining = false;
    }
  }

  /** One packet as if the TUN had read it (tools without a TUN). */
  sendPacket(packet: Uint8Array): void {
    this.device.sendPacket(this.now(), packet);
    this.settle();
  }

  /** Runs configuration (or any device input) at the current engine time, then re-arms the timer. */
  run<T>(action: (device: Device, now: number) => T): T {
    const result = action(this.device, this.now());
    this.settle();
    return result;
  }

  /** After an input: send what is queued and re-arm the one timer for the device's next wake-up. */
  settle(): void {
    if (this.closed) return;
    this.drain();
    this.flush();
    for (let error = this.sendErrors.shift(); error; error = this.sendErrors.shift()) {
      this.device.reportSendError(this.now(), error.to, error.code);
      this.drain();
      this.flush();
    }
    const at = this.device.nextWake();
    if (at === this.scheduledFor) return;
    clearTimeout(this.timer);
    this.scheduledFor = at;
    if (at === undefined) return;
    this.timer = setTimeout(() => this.wake(), Math.max(0, Math.ceil(at - this.now())));
  }

  private wake(): void {
    this.timer = undefined;
    this.scheduledFor = undefined;
    if (this.closed) return;
    this.device.tick(this.now());
    this.settle();
  }

  /** Stops the timer and ignores further input; the ports are the caller's to close. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
