/** Test support: sockets closed after each test, and collecting what a socket receives. */
import { type NativeUdp, openUdp, type UdpBatch, type UdpOptions } from '../udp-socket.js';

const opened: NativeUdp[] = [];

/** openUdp, remembered for closeOpened(). */
export function open(options: UdpOptions): NativeUdp {
  const socket = openUdp(options);
  opened.push(socket);
  return socket;
}

/** Closes every socket open() opened (for afterEach). */
export function closeOpened(): void {
  for (const socket of opened.splice(0)) socket.close();
}

export interface Received {
  bytes: Uint8Array;
  source: string;
  port: number;
  local: string;
}

/** Collects copies of everything received; resolves once `count` datagrams arrived. */
export function collect(socket: NativeUdp, count: number, timeoutMs = 10_000) {
  const received: Received[] = [];
  const batchSizes: number[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const timer = setTimeout(resolve, timeoutMs);
  socket.onBatch((batch: UdpBatch) => {
    batchSizes.push(batch.count);
    for (let i = 0; i < batch.count; i++) {
      received.push({
        bytes: batch.buffer.slice(batch.offsets[i]!, batch.offsets[i]! + batch.lengths[i]!),
        source: batch.sourceAddresses[i]!,
        port: batch.sourcePorts[i]!,
        local: batch.localAddresses[i]!,
      });
    }
    if (received.length >= count) {
      clearTimeout(timer);
      resolve();
    }
  });
  return { received, batchSizes, done };
}
