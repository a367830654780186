/** Loads the Node-API addon (build/Release/pathwire_udp.node) from ESM via createRequire. */
import { createRequire } from 'node:module';
import { UdpError } from './errors.js';

/** Counters kept by the addon. */
export interface UdpStats {
  /** Datagrams delivered to the batch handler. */
  datagramsReceived: number;
  /** recvmmsg calls that returned datagrams (each fills one batch or, with GRO, several). */
  receiveCalls: number;
  /** Datagrams longer than `maxDatagram`, dropped. */
  truncatedDropped: number;
  datagramsSent: number;
  /** sendmmsg calls, including the ones that failed. */
  sendCalls: number;
  /** Datagrams the kernel refused (reported through onSendError). */
  sendErrors: number;
  /** Times the send queue waited for writability after EAGAIN. */
  writableWaits: number;
  /** Messages that carried several datagrams with UDP GSO (UDP_SEGMENT). */
  gsoMessages: number;
  /** Whether UDP GSO is in use (asked for, supported by the kernel, not refused by the device). */
  gso: boolean;
  /** GSO messages the kernel refused (their datagrams were then sent one by one). */
  gsoRefused: number;
  /** Received messages that carried several datagrams coalesced by UDP GRO. */
  groMessages: number;
  /** Whether UDP GRO is in use (asked for and granted by the kernel). */
  gro: boolean;
}

/** The addon's UdpSocket (native/udp-socket.h); see there for each method's contract. */
export interface NativeUdpSocket {
  port(): number;
  registerAddress(text: string, id: number): boolean;
  resetAddresses(): void;
  setSendQueue(
    buffer: Uint8Array,
    offsets: Uint32Array,
    lengths: Uint32Array,
    ports: Uint16Array,
    destinations: Uint32Array,
    locals: Int32Array,
    errors: Int32Array,
    writable: () => void,
  ): void;
  flush(head: number, tail: number): number;
  startReading(
    buffer: Uint8Array,
    offsets: Uint32Array,
    lengths: Uint32Array,
    ports: Uint16Array,
    sources: string[],
    locals: string[],
    callback: (count: number, errno: number) => void,
  ): void;
  ref(): void;
  unref(): void;
  stats(): UdpStats;
  /** The receive buffer startReading needs: `slots * slotSize` bytes. */
  receiveShape(): { gro: boolean; slots: number; slotSize: number };
  setMark(mark: number): void;
  close(): void;
}

export interface NativeBinding {
  UdpSocket: new (
    family: 4 | 6,
    address: string,
    port: number,
    batch: number,
    maxDatagram: number,
    bufferBytes: number,
    gso: boolean,
    gro: boolean,
  ) => NativeUdpSocket;
}

let binding: NativeBinding | undefined;

export function loadNative(): NativeBinding {
  if (binding) return binding;
  if (process.platform !== 'linux') {
    throw new UdpError(
      'NATIVE_UNAVAILABLE',
      `@pathwire/udp needs Linux (recvmmsg/sendmmsg); this is ${process.platform}: use node:dgram`,
    );
  }
  try {
    binding = createRequire(import.meta.url)('../build/Release/pathwire_udp.node') as NativeBinding;
    return binding;
  } catch (error) {
    throw new UdpError(
      'NATIVE_UNAVAILABLE',
      'the UDP addon is not built: run `pnpm --filter @pathwire/udp build` (needs g++, make, python3 and Node headers)',
      undefined,
      undefined,
      { cause: error },
    );
  }
}
