/**
 * The device's UDP sockets: one IPv4 and one IPv6 (v6-only) socket on the same listen port, as
 * wireguard-go binds them, through `@pathwire/udp`: received datagrams arrive in batches (one
 * recvmmsg, one JS call) and sends leave in batches (one sendmmsg, UDP GSO for same-size runs)
 * at the end of the tick. A host without IPv6 still runs on IPv4 alone.
 */
import type { Endpoint } from '@pathwire/strategy';
import { openUdp, type UdpSocket } from '@pathwire/udp';

export interface UdpSocketsHandlers {
  /** One received datagram and the local address it arrived at; the view is valid only during the call. */
  onDatagram(source: Endpoint, data: Uint8Array, local: string | undefined): void;
  /** After each received batch (e.g. to re-arm the device's timer once). */
  onBatchDone(): void;
  onSendError(to: Endpoint, code: string): void;
}

export class UdpSockets {
  private v4: UdpSocket | undefined;
  private v6: UdpSocket | undefined;
  port = 0;
  /** SO_MARK of both sockets (WireGuard's fwmark; 0: none), kept across `reopen`. */
  mark = 0;
  /** Largest datagram sent or received: the inner MTU plus WireGuard's 32 bytes (at least 2048). */
  maxDatagram = 2048;

  constructor(private readonly handlers: UdpSocketsHandlers) {}

  private attach(socket: UdpSocket): UdpSocket {
    socket.onBatch((batch) => {
      for (let i = 0; i < batch.count; i++) {
        const offset = batch.offsets[i]!;
        this.handlers.onDatagram(
          { address: batch.sourceAddresses[i]!, port: batch.sourcePorts[i]! },
          batch.buffer.subarray(offset, offset + batch.lengths[i]!),
          batch.localAddresses[i],
        );
      }
      this.handlers.onBatchDone();
    });
    socket.onSendError((address, port, code) => this.handlers.onSendError({ address, port }, code));
    return socket;
  }

  /** Binds both families on `port` (0: let the kernel choose, then use the same for IPv6). */
  async open(port: number): Promise<number> {
    const [v4, v6] = this.bind(port);
    this.v4 = v4;
    this.v6 = v6;
    this.port = v4.port;
    return this.port;
  }

  /** Moves to another port: the new sockets are bound before the old ones close, so a failure changes nothing. */
  async reopen(port: number): Promise<number> {
    const [v4, v6] = this.bind(port);
    this.close();
    this.v4 = v4;
    this.v6 = v6;
    this.port = v4.port;
    return this.port;
  }

  /**
   * Follows the interface MTU (drop-in, issue 16): datagrams of up to `mtu + 32` bytes must fit.
   * Growing rebinds both sockets on the same port (closed first: the port cannot be bound twice),
   * so a few datagrams in flight may be lost, as on any link change; shrinking keeps them.
   */
  setInnerMtu(mtu: number): void {
    const needed = Math.min(65_535, Math.max(2048, mtu + 32));
    if (needed <= this.maxDatagram) return;
    this.maxDatagram = needed;
    if (!this.v4) return;
    const port = this.port;
    this.v4.flush();
    this.v6?.flush();
    this.close();
    const [v4, v6] = this.bind(port);
    this.v4 = v4;
    this.v6 = v6;
  }

  /** Marks both sockets (`wg set IFACE fwmark M`); on failure nothing changes. */
  setMark(mark: number): void {
    const sockets = [this.v4, this.v6].filter((socket) => socket !== undefined);
    try {
      for (const socket of sockets) socket.setMark(mark);
    } catch (error) {
      for (const socket of sockets) socket.setMark(this.mark);
      throw error;
    }
    this.mark = mark;
  }

  private bind(port: number): [UdpSocket, UdpSocket | undefined] {
    const v4 = this.attach(openUdp({ port, family: 4, batchSize: 128, maxDatagram: this.maxDatagram }));
    try {
      if (this.mark) v4.setMark(this.mark);
      const v6 = this.attach(
        openUdp({ port: v4.port, family: 6, batchSize: 128, maxDatagram: this.maxDatagram }),
      );
      try {
        if (this.mark) v6.setMark(this.mark);
      } catch (error) {
        v6.close();
        throw error;
      }
      return [v4, v6];
    } catch (error) {
      const code = (error as { code?: string }).code;
      // No IPv6 on this host: IPv4 alone. Any other failure (the port is taken for IPv6) is an error.
      if (code === 'FAMILY_UNSUPPORTED' || code === 'ADDRESS_NOT_AVAILABLE') return [v4, undefined];
      v4.close();
      throw error;
    }
  }

  /** Queues a datagram, from local address `from` when given (sticky source, IP_PKTINFO). */
  send(to: Endpoint, bytes: Uint8Array, from?: string): void {
    // The link's MTU was raised and the TUN handed us a packet before the link watch saw it.
    if (bytes.length > this.maxDatagram) {
      this.setInnerMtu(bytes.length - 32);
      // Past UDP's limit (MTU near 65,535): refused and counted, never thrown.
      if (bytes.length > this.maxDatagram) {
        this.handlers.onSendError(to, 'EMSGSIZE');
        return;
      }
    }
    const socket = to.address.includes(':') ? this.v6 : this.v4;
    if (!socket) {
      this.handlers.onSendError(to, 'EAFNOSUPPORT');
      return;
    }
    if (socket.send(bytes, to.port, to.address, from)) return;
    // The queue is full: push it out now and queue again.
    socket.flush();
    if (!socket.send(bytes, to.port, to.address, from)) this.handlers.onSendError(to, 'ENOBUFS');
  }

  close(): void {
    this.v4?.close();
    this.v6?.close();
    this.v4 = this.v6 = undefined;
  }
}
