/**
 * Node's `dgram` sockets as the engine driver's `DatagramPort`, for tools that need real UDP
 * but not the batched `@pathwire/udp` addon: one socket per family, each datagram handed to the
 * driver as a batch of one, send errors reported per datagram.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { DatagramBatch, DatagramPort } from '@pathwire/engine';
import type { Endpoint } from '@pathwire/strategy';

export class DgramPort implements DatagramPort {
  private readonly sockets: Partial<Record<4 | 6, Socket>> = {};
  private receive: (batch: DatagramBatch) => void = () => {};
  private sendError: (to: Endpoint, code: string) => void = () => {};
  private closed = false;

  /** Sockets for these families (IPv6 ones v6-only), bound by `bind`. */
  constructor(families: readonly (4 | 6)[]) {
    for (const family of families) {
      const socket = family === 4 ? createSocket('udp4') : createSocket({ type: 'udp6', ipv6Only: true });
      socket.on('message', (data, info) => {
        if (this.closed) return;
        const buffer = new Uint8Array(data.buffer, data.byteOffset, data.length);
        this.receive({
          count: 1,
          buffer,
          offsets: [0],
          lengths: [data.length],
          sourceAddresses: [info.address],
          sourcePorts: [info.port],
          localAddresses: [undefined],
        });
      });
      this.sockets[family] = socket;
    }
  }

  /** Binds the socket of `family` to `address` on a kernel-chosen port; returns the port. */
  bind(family: 4 | 6, address: string): Promise<number> {
    const socket = this.sockets[family];
    if (!socket) return Promise.reject(new Error(`DgramPort: no IPv${family} socket`));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve(socket.address().port));
    });
  }

  onReceive(handler: (batch: DatagramBatch) => void): void {
    this.receive = handler;
  }

  onSendError(handler: (to: Endpoint, code: string) => void): void {
    this.sendError = handler;
  }

  send(to: Endpoint, bytes: Uint8Array, _from: string | undefined): void {
    const socket = this.sockets[to.address.includes(':') ? 6 : 4];
    if (!socket) {
      this.sendError(to, 'EAFNOSUPPORT');
      return;
    }
    socket.send(bytes, to.port, to.address, (error) => {
      if (error && !this.closed) this.sendError(to, (error as NodeJS.ErrnoException).code ?? 'EIO');
    });
  }

  flush(): void {}

  close(): void {
    this.closed = true;
    for (const socket of Object.values(this.sockets)) socket.close();
  }
}
