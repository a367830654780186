/**
 * Batched UDP sockets through the Node-API addon: one recvmmsg(2) and one JS call per batch of
 * received datagrams; datagrams queued by send() go out with one sendmmsg(2) per batch, at the
 * end of the current tick or when a batch is full. Nothing is allocated per datagram on either
 * path (address strings come from caches).
 */
import { errnoName, fromNativeError, UdpError } from './errors.js';
import { loadNative, type NativeUdpSocket, type UdpStats } from './native.js';

export interface UdpOptions {
  /** Local port; 0 lets the kernel pick one (read it back from `socket.port`). */
  readonly port: number;
  /** 4: an AF_INET socket. 6: an AF_INET6 socket with IPV6_V6ONLY (open one of each for both). */
  readonly family: 4 | 6;
  /** Local address to bind; default the wildcard (`0.0.0.0` / `::`). */
  readonly address?: string;
  /** Most datagrams per recvmmsg / sendmmsg call and per handler call, 1..1024; default 64. */
  readonly batchSize?: number;
  /**
   * Largest datagram sent, 1..65535; default 65535 (any MTU). Received datagrams up to this size
   * (up to 65535 with GRO) are delivered; longer ones are dropped and counted.
   */
  readonly maxDatagram?: number;
  /**
   * UDP GSO (UDP_SEGMENT, Linux 4.18+): consecutive queued datagrams of one size to one
   * destination leave as one message the kernel segments late. Default true; used only when the
   * kernel supports it, and turned off by itself when the device refuses it (EIO).
   */
  readonly gso?: boolean;
  /**
   * UDP GRO (UDP_GRO, Linux 5.0+): the kernel hands over runs of datagrams from one sender as
   * one 64 KiB message; they still reach the handler one by one, each with its source and local
   * address. Default true; used only when the kernel supports it.
   */
  readonly gro?: boolean;
}

/**
 * One batch of received datagrams. Datagram i (i < count) is
 * `buffer.subarray(offsets[i], offsets[i] + lengths[i])` from `sourceAddresses[i]`:`sourcePorts[i]`,
 * addressed to our `localAddresses[i]`. All of it is reused after the handler returns: copy what
 * you keep. Entries at and past `count` are stale.
 */
export interface UdpBatch {
  readonly count: number;
  readonly buffer: Uint8Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  /** Canonical text (RFC 5952; IPv4-mapped shown as IPv4; link-local with `%ifname`). */
  readonly sourceAddresses: readonly string[];
  readonly sourcePorts: Uint16Array;
  /** Our address the datagram was sent to (IP_PKTINFO / IPV6_PKTINFO): the source for a reply. */
  readonly localAddresses: readonly string[];
}

export type UdpBatchHandler = (batch: UdpBatch) => void;
export type UdpSendErrorHandler = (address: string, port: number, code: string) => void;

export interface UdpSocket {
  /** The bound local port (the kernel's pick when opened with port 0). */
  readonly port: number;
  readonly family: 4 | 6;
  readonly batchSize: number;
  readonly maxDatagram: number;
  readonly closed: boolean;
  /** Starts reading (on the first call) and sets the handler: one call per received batch. */
  onBatch(handler: UdpBatchHandler): this;
  /**
   * Queues a copy of `bytes` for `address`:`port` (from `localAddress`, via IP_PKTINFO, when
   * given). Queued datagrams go out with one sendmmsg per batch: when `batchSize` are queued, on
   * flush(), or at the end of the current tick. Returns false, queuing nothing, when the queue is
   * full (the kernel said EAGAIN and the queue waits for writability). Throws UdpError for an
   * address that is not an IP literal, a bad port, a datagram over maxDatagram, or when closed.
   */
  send(bytes: Uint8Array, port: number, address: string, localAddress?: string): boolean;
  /** Sends everything queued now (unless waiting for writability after EAGAIN). */
  flush(): void;
  /** Datagrams the kernel refused, one call each: ('2001:db8::1', 51820, 'ENETUNREACH'). */
  onSendError(handler: UdpSendErrorHandler): this;
  /** Datagrams queued and not yet handed to the kernel. */
  readonly queued: number;
  stats(): UdpStats;
  /**
   * Marks every datagram this socket sends with `mark` (SO_MARK; 0 clears it), as WireGuard's
   * `fwmark`, so policy routing (`ip rule not fwmark M table T`) can keep the tunnel's own
   * datagrams out of the tunnel. Needs CAP_NET_ADMIN; throws UdpError (PERMISSION_DENIED).
   */
  setMark(mark: number): void;
  /** Keep the process alive while reading or waiting to send (the default). */
  ref(): this;
  /** Do not keep the process alive for this socket. */
  unref(): this;
  /** Idempotent. Drops queued datagrams; no handler runs after it. */
  close(): void;
}

const MAX_BATCH = 1024;
const MAX_DATAGRAM = 65535;
/** Bytes of the send queue per slot (a run of full-MTU datagrams at MTU 1420 fits twice over). */
const QUEUE_BYTES_PER_SLOT = 2048;
/** SO_RCVBUF / SO_SNDBUF asked for (SO_*BUFFORCE when privileged, else capped by *mem_max). */
const SOCKET_BUFFER_BYTES = 4 << 20;
/** Distinct addresses remembered (parsed once, then referred to by id) before starting over. */
const ADDRESS_CACHE_LIMIT = 4096;

function checkInteger(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UdpError('INVALID_OPTION', `${what} must be an integer in ${min}..${max}, got ${value}`);
  }
}

class ReusedBatch implements UdpBatch {
  count = 0;
  constructor(
    readonly buffer: Uint8Array,
    readonly offsets: Uint32Array,
    readonly lengths: Uint32Array,
    readonly sourceAddresses: string[],
    readonly sourcePorts: Uint16Array,
    readonly localAddresses: string[],
  ) {}
}

/**
 * Opens and binds a batched UDP socket.
 *
 * @example
 * ```ts
 * import { openUdp } from '@pathwire/udp';
 * const socket = openUdp({ port: 51820, family: 6 });
 * socket.onBatch((batch) => {
 *   for (let i = 0; i < batch.count; i++) {
 *     const datagram = batch.buffer.subarray(batch.offsets[i], batch.offsets[i] + batch.lengths[i]);
 *     // echo it back, from the address it was sent to
 *     socket.send(datagram, batch.sourcePorts[i], batch.sourceAddresses[i], batch.localAddresses[i]);
 *   }
 * }); // the replies of a batch leave in one sendmmsg when the handler returns
 * ```
 */
export function openUdp(options: UdpOptions): NativeUdp {
  const family = options.family;
  if (family !== 4 && family !== 6) {
    throw new UdpError('INVALID_OPTION', `family must be 4 or 6, got ${String(family)}`);
  }
  checkInteger('port', options.port, 0, 65535);
  const batchSize = options.batchSize ?? 64;
  checkInteger('batchSize', batchSize, 1, MAX_BATCH);
  const maxDatagram = options.maxDatagram ?? MAX_DATAGRAM;
  checkInteger('maxDatagram', maxDatagram, 1, MAX_DATAGRAM);
  const address = options.address ?? '';
  const subject =
    family === 6 ? `udp [${address || '::'}]:${options.port}` : `udp ${address || '0.0.0.0'}:${options.port}`;
  const { UdpSocket } = loadNative();
  let native: NativeUdpSocket;
  try {
    native = new UdpSocket(
      family,
      address,
      options.port,
      batchSize,
      maxDatagram,
      SOCKET_BUFFER_BYTES,
      options.gso ?? true,
      options.gro ?? true,
    );
  } catch (error) {
    throw fromNativeError(error, subject);
  }
  return new NativeUdp(native, family, batchSize, maxDatagram);
}

export class NativeUdp implements UdpSocket {
  readonly port: number;
  private readonly capacity: number;
  // Send queue: slot i is queueBuffer[offsets[i], + lengths[i]), packed from byte 0; slots
  // [head, tail) are queued and end at byte `tailBytes`.
  private readonly queueBuffer: Uint8Array;
  private readonly queueOffsets: Uint32Array;
  private readonly queueLengths: Uint32Array;
  private readonly queuePorts: Uint16Array;
  private readonly queueDestinations: Uint32Array;
  private readonly queueLocals: Int32Array;
  private readonly queueNames: string[];
  private readonly errors: Int32Array;
  private head = 0;
  private tail = 0;
  private tailBytes = 0;
  private scheduled = false;
  private waitingWritable = false;
  private readonly addressIds = new Map<string, number>();

  private handler: UdpBatchHandler | null = null;
  private sendErrorHandler: UdpSendErrorHandler | null = null;
  private batch: ReusedBatch | null = null;
  private isClosed = false;

  /** @internal use {@link openUdp} */
  constructor(
    private readonly native: NativeUdpSocket,
    readonly family: 4 | 6,
    readonly batchSize: number,
    readonly maxDatagram: number,
  ) {
    this.port = native.port();
    this.capacity = Math.max(2 * batchSize, 256);
    this.queueBuffer = new Uint8Array(Math.max(this.capacity * QUEUE_BYTES_PER_SLOT, 2 * maxDatagram));
    this.queueOffsets = new Uint32Array(this.capacity);
    this.queueLengths = new Uint32Array(this.capacity);
    this.queuePorts = new Uint16Array(this.capacity);
    this.queueDestinations = new Uint32Array(this.capacity);
    this.queueLocals = new Int32Array(this.capacity);
    this.queueNames = new Array<string>(this.capacity).fill('');
    this.errors = new Int32Array(1 + 2 * this.capacity);
    native.setSendQueue(
      this.queueBuffer,
      this.queueOffsets,
      this.queueLengths,
      this.queuePorts,
      this.queueDestinations,
      this.queueLocals,
      this.errors,
      this.onWritable,
    );
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get queued(): number {
    return this.tail - this.head;
  }

  onBatch(handler: UdpBatchHandler): this {
    if (this.isClosed) throw new UdpError('CLOSED', `udp port ${this.port} is closed`);
    this.handler = handler;
    if (this.batch === null) {
      const n = this.batchSize;
      const shape = this.native.receiveShape();
      this.batch = new ReusedBatch(
        new Uint8Array(shape.slots * shape.slotSize),
        new Uint32Array(n),
        new Uint32Array(n),
        new Array<string>(n).fill(''),
        new Uint16Array(n),
        new Array<string>(n).fill(''),
      );
      const b = this.batch;
      try {
        this.native.startReading(
          b.buffer,
          b.offsets,
          b.lengths,
          b.sourcePorts,
          b.sourceAddresses,
          b.localAddresses,
          this.deliver,
        );
      } catch (error) {
        throw fromNativeError(error, `udp port ${this.port}`);
      }
    }
    return this;
  }

  onSendError(handler: UdpSendErrorHandler): this {
    this.sendErrorHandler = handler;
    return this;
  }

  send(bytes: Uint8Array, port: number, address: string, localAddress?: string): boolean {
    if (this.isClosed) throw new UdpError('CLOSED', `udp port ${this.port} is closed`);
    const length = bytes.length;
    if (length > this.maxDatagram) {
      throw new UdpError(
        'DATAGRAM_TOO_LARGE',
        `a ${length}-byte datagram exceeds this socket's maxDatagram (${this.maxDatagram})`,
      );
    }
    if ((port & 0xffff) !== port || port === 0) {
      throw new UdpError('INVALID_PORT', `destination port must be an integer in 1..65535, got ${port}`);
    }
    if (this.tail === this.capacity || this.tailBytes + length > this.queueBuffer.length) {
      if (this.head === 0) return false;
      this.compact();
      if (this.tailBytes + length > this.queueBuffer.length) return false;
    }
    if (this.addressIds.size >= ADDRESS_CACHE_LIMIT && this.head === this.tail) this.forgetAddresses();
    const destination = this.addressIds.get(address) ?? this.register(address);
    const local =
      localAddress === undefined ? -1 : (this.addressIds.get(localAddress) ?? this.register(localAddress));
    const slot = this.tail;
    this.queueBuffer.set(bytes, this.tailBytes);
    this.queueOffsets[slot] = this.tailBytes;
    this.queueLengths[slot] = length;
    this.tailBytes += length;
    this.queuePorts[slot] = port;
    this.queueDestinations[slot] = destination;
    this.queueLocals[slot] = local;
    this.queueNames[slot] = address;
    this.tail = slot + 1;
    if (this.waitingWritable) return true; // onWritable flushes
    if (this.tail - this.head >= this.batchSize) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.tickFlush);
    }
    return true;
  }

  flush(): void {
    if (this.isClosed || this.waitingWritable || this.head === this.tail) return;
    const tail = this.tail;
    const next = this.native.flush(this.head, tail);
    const errorCount = this.errors[0]!;
    // Capture the errors before any handler runs: a handler may send (and so flush) again.
    const failed = errorCount > 0 ? this.collectErrors(errorCount) : null;
    this.head = next;
    if (next === tail) {
      this.head = 0;
      this.tail = 0;
      this.tailBytes = 0;
    } else {
      this.waitingWritable = true; // EAGAIN: the addon polls for UV_WRITABLE and calls onWritable
    }
    if (failed !== null && this.sendErrorHandler !== null) {
      for (let i = 0; i < failed.length; i += 3) {
        if (this.isClosed) return;
        this.sendErrorHandler(failed[i] as string, failed[i + 1] as number, failed[i + 2] as string);
      }
    }
  }

  stats(): UdpStats {
    return this.native.stats();
  }

  setMark(mark: number): void {
    checkInteger('mark', mark, 0, 0xffff_ffff);
    try {
      this.native.setMark(mark);
    } catch (error) {
      throw fromNativeError(error, `udp :${this.port} SO_MARK ${mark}`);
    }
  }

  ref(): this {
    if (!this.isClosed) this.native.ref();
    return this;
  }

  unref(): this {
    if (!this.isClosed) this.native.unref();
    return this;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.native.close();
    this.handler = null;
    this.sendErrorHandler = null;
    this.head = 0;
    this.tail = 0;
    this.tailBytes = 0;
    this.addressIds.clear();
  }

  private collectErrors(count: number): (string | number)[] {
    const failed: (string | number)[] = [];
    for (let k = 0; k < count; k++) {
      const slot = this.errors[1 + 2 * k]!;
      failed.push(this.queueNames[slot]!, this.queuePorts[slot]!, errnoName(this.errors[2 + 2 * k]!));
    }
    return failed;
  }

  private register(address: string): number {
    const id = this.addressIds.size;
    if (typeof address !== 'string' || !this.native.registerAddress(address, id)) {
      throw new UdpError('INVALID_ADDRESS', `${JSON.stringify(address)} is not an IPv4 or IPv6 address`);
    }
    this.addressIds.set(address, id);
    return id;
  }

  private forgetAddresses(): void {
    this.addressIds.clear();
    this.native.resetAddresses();
  }

  /** Moves the queued slots [head, tail) to the front (only when the queue backed up). */
  private compact(): void {
    const { head, tail } = this;
    if (head === tail) {
      this.head = this.tail = this.tailBytes = 0;
      return;
    }
    const from = this.queueOffsets[head]!;
    this.queueBuffer.copyWithin(0, from, this.tailBytes);
    for (let i = head; i < tail; i++) this.queueOffsets[i] = this.queueOffsets[i]! - from;
    this.queueOffsets.copyWithin(0, head, tail);
    this.tailBytes -= from;
    this.queueLengths.copyWithin(0, head, tail);
    this.queuePorts.copyWithin(0, head, tail);
    this.queueDestinations.copyWithin(0, head, tail);
    this.queueLocals.copyWithin(0, head, tail);
    this.queueNames.copyWithin(0, head, tail);
    this.head = 0;
    this.tail = tail - head;
  }

  private readonly tickFlush = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Called by the addon when the socket is writable again after EAGAIN. */
  private readonly onWritable = (): void => {
    this.waitingWritable = false;
    this.flush();
  };

  /** Called by the addon once per recvmmsg that returned datagrams. */
  private readonly deliver = (count: number, errno: number): void => {
    const batch = this.batch!;
    if (count > 0 && this.handler !== null) {
      batch.count = count;
      try {
        this.handler(batch);
      } finally {
        batch.count = 0;
      }
    }
    if (errno !== 0 && !this.isClosed) {
      // No error handler in this API: like an 'error' event nobody listens to.
      throw fromNativeError(
        { code: errnoName(errno), syscall: 'recvmmsg', message: `errno ${errno}` },
        `udp port ${this.port}`,
      );
    }
  };
}
