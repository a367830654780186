/**
 * The engine as a node of `@pathwire/netsim` (its `SimNode` contract, matched structurally so
 * the engine does not depend on the simulator): datagrams and tunnel packets go into the
 * device at virtual time, its outputs go out through the node's I/O, and immediate send
 * errors (e.g. ENETUNREACH when a host has no IPv6) are reported back to the device after the
 * call that caused them.
 *
 * @example
 * ```ts
 * const node = new DeviceNode();
 * const device = new Device({ backend, privateKey, io: node.deviceIO, random });
 * node.attach(device);
 * sim.attach(node, { host, port: 51820 });
 * ```
 */
import type { Endpoint } from '@pathwire/strategy';
import type { Device } from './device.js';
import type { DeviceIO } from './events.js';

/** The parts of netsim's `NodeIO` the adapter uses. */
export interface SimNodeIO {
  readonly now: number;
  send(
    remote: Endpoint,
    bytes: Uint8Array,
    local?: Endpoint,
  ): { readonly ok: true } | { readonly ok: false; readonly code: string };
  deliverToTunnel(packet: Uint8Array): void;
  record(kind: string, data?: unknown): void;
}

export class DeviceNode {
  private device: Device | undefined;
  private io: SimNodeIO | undefined;
  private readonly sendErrors: { endpoint: Endpoint; code: string }[] = [];
  /** The port datagrams arrive at (the node's own), for sending from a sticky local address. */
  private localPort = 0;

  /** Give this to the `Device` constructor. */
  readonly deviceIO: DeviceIO = {
    sendDatagram: (to, bytes, from) => {
      const io = this.io;
      if (!io) return;
      let result = io.send(
        to,
        bytes,
        from === undefined ? undefined : { address: from, port: this.localPort },
      );
      if (!result.ok && from !== undefined && result.code === 'EADDRNOTAVAIL') {
        // The sticky source address is gone (the host moved): tell the device, send without it.
        this.sendErrors.push({ endpoint: to, code: result.code });
        result = io.send(to, bytes);
      }
      if (!result.ok) this.sendErrors.push({ endpoint: to, code: result.code });
    },
    writePacket: (packet) => this.io?.deliverToTunnel(packet),
    event: (event) => this.io?.record(event.type, event),
  };

  attach(device: Device): this {
    this.device = device;
    return this;
  }

  private get attached(): Device {
    if (!this.device) throw new Error('DeviceNode: attach(device) first');
    return this.device;
  }

  onDatagram(io: SimNodeIO, local: Endpoint, remote: Endpoint, bytes: Uint8Array): void {
    this.io = io;
    this.localPort = local.port;
    this.attached.receiveDatagram(io.now, remote, bytes, local.address);
    this.reportErrors(io.now);
  }

  onTunnelPacket(io: SimNodeIO, packet: Uint8Array): void {
    this.io = io;
    this.attached.sendPacket(io.now, packet);
    this.reportErrors(io.now);
  }

  onWake(io: SimNodeIO): void {
    this.io = io;
    this.attached.tick(io.now);
    this.reportErrors(io.now);
  }

  nextWake(): number | undefined {
    return this.attached.nextWake();
  }

  private reportErrors(now: number): void {
    while (this.sendErrors.length > 0) {
      const error = this.sendErrors.shift()!;
      this.attached.reportSendError(now, error.endpoint, error.code);
    }
  }
}
