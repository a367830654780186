/**
 * The device's UDP sockets: one IPv4 and one IPv6 (v6-only) socket on the same listen port, as
 * wireguard-go binds them. A host without IPv6 still runs on IPv4 alone.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Endpoint } from '@pathwire/strategy';

export interface UdpSocketsHandlers {
  onDatagram(source: Endpoint, data: Uint8Array): void;
  onSendError(to: Endpoint, code: string): void;
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export class UdpSockets {
  private v4: Socket | undefined;
  private v6: Socket | undefined;
  port = 0;

  constructor(private readonly handlers: UdpSocketsHandlers) {}

  private make(type: 'udp4' | 'udp6'): Socket {
    const socket = createSocket({
      type,
      ipv6Only: type === 'udp6',
      recvBufferSize: 4 << 20,
      sendBufferSize: 4 << 20,
    });
    socket.on('message', (data: Buffer, info: RemoteInfo) => {
      this.handlers.onDatagram(
        { address: info.address, port: info.port },
        new Uint8Array(data.buffer, data.byteOffset, data.length),
      );
    });
    socket.on('error', () => {});
    return socket;
  }

  /** Binds both families on `port` (0: let the kernel choose, then use the same for IPv6). */
  async open(port: number): Promise<number> {
    const v4 = this.make('udp4');
    await bind(v4, port, '0.0.0.0');
    const chosen = v4.address().port;
    const v6 = this.make('udp6');
    try {
      await bind(v6, chosen, '::');
      this.v6 = v6;
    } catch {
      v6.close();
    }
    this.v4 = v4;
    this.port = chosen;
    return chosen;
  }

  send(to: Endpoint, bytes: Uint8Array): void {
    const socket = to.address.includes(':') ? this.v6 : this.v4;
    if (!socket) {
      this.handlers.onSendError(to, 'EAFNOSUPPORT');
      return;
    }
    socket.send(bytes, to.port, to.address, (error) => {
      if (error) this.handlers.onSendError(to, (error as NodeJS.ErrnoException).code ?? 'EIO');
    });
  }

  close(): void {
    this.v4?.close();
    this.v6?.close();
    this.v4 = this.v6 = undefined;
  }
}
