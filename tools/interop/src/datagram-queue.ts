/** Awaitable UDP datagrams: the interop driver reads its socket one message at a time. */
import type { Socket } from 'node:dgram';

export interface Datagram {
  readonly data: Uint8Array;
  readonly address: string;
  readonly port: number;
}

export class DatagramQueue {
  private readonly queued: Datagram[] = [];
  private waiter: (() => void) | undefined;

  constructor(socket: Socket) {
    socket.on('message', (data, info) => {
      this.queued.push({ data: new Uint8Array(data), address: info.address, port: info.port });
      this.waiter?.();
    });
  }

  /** The next datagram, or a rejection naming `what` after `timeoutMs`. */
  async next(what: string, timeoutMs = 5000): Promise<Datagram> {
    const deadline = Date.now() + timeoutMs;
    while (this.queued.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.queued.shift()!;
  }
}
