/**
 * A Linux TUN interface (IFF_TUN | IFF_NO_PI) through the Node-API addon: setup by ioctl(2)
 * and rtnetlink, batched non-blocking reads on Node's event loop (one JS call per batch),
 * batched writes (one JS call per batch). With offloads (IFF_VNET_HDR + TUNSETOFFLOAD) the
 * kernel hands over TCP/UDP super-packets of up to 64 KiB, split into MTU-sized packets in the
 * addon, and consecutive TCP segments written in one batch leave as one super-packet: the
 * handler and writeBatch() still see ordinary packets. Nothing here spawns a process.
 */
import { constants } from 'node:os';
import { parseCidr } from './cidr.js';
import { fromNativeError, TunError } from './errors.js';
import { loadNative, type NativeTunDevice, type TunOffloads } from './native.js';
import type { BatchHandler, PacketBatch, Tun, TunStats } from './tun.js';

export interface TunOptions {
  /** Interface name, at most 15 bytes; empty or absent lets the kernel choose (`tun0`...). */
  readonly name?: string;
  /** MTU set at open; default 1420 (WireGuard's). */
  readonly mtu?: number;
  /** Addresses to add, in CIDR notation: `'10.0.0.1/24'`, `'fd00::1/64'`. */
  readonly addresses?: readonly string[];
  /** Routes into the interface, in CIDR notation. */
  readonly routes?: readonly string[];
  /** Bring the link up at open (default true). */
  readonly up?: boolean;
  /**
   * Create the interface in this network namespace: a name from `ip netns` (`/var/run/netns/NAME`)
   * or an absolute path such as `/proc/PID/ns/net`. The fd works from this process as usual.
   */
  readonly netns?: string;
  /** Most packets per handler call, 1..1024; default 64. */
  readonly batchSize?: number;
  /**
   * Largest packet written; default 65535, so that packets a peer with a larger MTU sends
   * still get through (as wireguard-go). Reads take any IP packet up to 65535 bytes.
   */
  readonly maxPacketSize?: number;
  /**
   * TUN offloads (default true): IFF_VNET_HDR + TUNSETOFFLOAD with checksum, TSO4/TSO6 and,
   * from Linux 6.2, USO4/USO6. Fewer read calls and kernel segmentation on writes; a kernel
   * that refuses some or all of them is used without them (see `LinuxTun.offloads`).
   */
  readonly offload?: boolean;
}

const MAX_BATCH = 1024;
const MAX_PACKET = 65535;
/** Read buffer beyond the room one read needs (64 KiB): up to this many bytes per batch. */
const MAX_BATCH_BYTES = 4 << 20;

function checkInteger(
  what: string,
  value: number,
  min: number,
  max: number,
  code: 'INVALID_MTU' | 'INVALID_OPTION',
) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TunError(code, `${what} must be an integer in ${min}..${max}, got ${value}`);
  }
}

class ReusedBatch implements PacketBatch {
  count = 0;
  constructor(
    readonly buffer: Uint8Array,
    readonly offsets: Uint32Array,
    readonly lengths: Uint32Array,
  ) {}
}

/**
 * Opens a TUN interface and configures it.
 *
 * @example
 * ```ts
 * import { openTun } from '@pathwire/tun';
 * const tun = openTun({ name: 'pw0', mtu: 1420, addresses: ['10.9.0.1/24', 'fd00:9::1/64'] });
 * tun.onBatch((batch) => {
 *   for (let i = 0; i < batch.count; i++) {
 *     const packet = batch.buffer.subarray(batch.offsets[i], batch.offsets[i] + batch.lengths[i]);
 *     console.log(`IPv${packet[0] >> 4} packet, ${packet.length} bytes`);
 *   }
 * });
 * // later: tun.close();
 * ```
 */
export function openTun(options: TunOptions = {}): LinuxTun {
  const name = options.name ?? '';
  if (Buffer.byteLength(name) > 15) {
    throw new TunError(
      'INVALID_NAME',
      `interface name ${JSON.stringify(name)} is longer than 15 bytes`,
      'EINVAL',
    );
  }
  if (name.includes('/') || /\s/.test(name) || name === '.' || name === '..') {
    throw new TunError(
      'INVALID_NAME',
      `interface name ${JSON.stringify(name)} contains '/' or whitespace`,
      'EINVAL',
    );
  }
  const mtu = options.mtu ?? 1420;
  checkInteger('mtu', mtu, 68, MAX_PACKET, 'INVALID_MTU');
  const batchSize = options.batchSize ?? 64;
  checkInteger('batchSize', batchSize, 1, MAX_BATCH, 'INVALID_OPTION');
  const maxPacketSize = options.maxPacketSize ?? MAX_PACKET;
  checkInteger('maxPacketSize', maxPacketSize, 68, MAX_PACKET, 'INVALID_OPTION');
  if (mtu > maxPacketSize)
    throw new TunError('INVALID_MTU', `mtu ${mtu} exceeds maxPacketSize ${maxPacketSize}`);
  // Validate every prefix before creating anything.
  for (const cidr of [...(options.addresses ?? []), ...(options.routes ?? [])]) parseCidr(cidr);
  const netns =
    options.netns === undefined || options.netns.startsWith('/')
      ? options.netns
      : `/var/run/netns/${options.netns}`;

  const { TunDevice } = loadNative();
  let device: NativeTunDevice;
  try {
    device = new TunDevice(name, netns ?? '', options.offload ?? true);
  } catch (error) {
    throw fromNativeError(
      error,
      netns !== undefined && (error as { syscall?: string }).syscall === 'setns' ? netns : name || 'tun%d',
    );
  }
  const tun = new LinuxTun(device, mtu, batchSize, maxPacketSize);
  try {
    tun.setMtu(mtu);
    for (const address of options.addresses ?? []) tun.addAddress(address);
    if (options.up ?? true) tun.setUp(true);
    for (const route of options.routes ?? []) tun.addRoute(route);
  } catch (error) {
    tun.close();
    throw error;
  }
  return tun;
}

export class LinuxTun implements Tun {
  readonly name: string;
  readonly ifindex: number;
  private currentMtu: number;
  private handler: BatchHandler | null = null;
  private errorHandler: ((error: TunError) => void) | null = null;
  private batch: ReusedBatch | null = null;
  private isPaused = true;
  private isClosed = false;

  /** @internal use {@link openTun} */
  constructor(
    private readonly device: NativeTunDevice,
    mtu: number,
    readonly batchSize: number,
    readonly maxPacketSize: number,
  ) {
    this.name = device.name();
    this.ifindex = device.ifindex();
    this.currentMtu = mtu;
  }

  get mtu(): number {
    return this.currentMtu;
  }
  get paused(): boolean {
    return this.isPaused;
  }
  get closed(): boolean {
    return this.isClosed;
  }
  /** The TUN's file descriptor (non-blocking); for diagnostics and benchmarks, not for reading. */
  get fd(): number {
    return this.device.fd();
  }
  /** The offloads the kernel granted (all false when opened with `offload: false`). */
  get offloads(): TunOffloads {
    return this.device.offloads();
  }

  private call<T>(subject: string, action: () => T): T {
    if (this.isClosed) throw new TunError('CLOSED', `${this.name} is closed`);
    try {
      return action();
    } catch (error) {
      throw fromNativeError(error, subject);
    }
  }

  setMtu(mtu: number): void {
    checkInteger('mtu', mtu, 68, MAX_PACKET, 'INVALID_MTU');
    if (mtu > this.maxPacketSize) {
      throw new TunError('INVALID_MTU', `mtu ${mtu} exceeds this TUN's maxPacketSize ${this.maxPacketSize}`);
    }
    this.call(this.name, () => this.device.setMtu(mtu));
    this.currentMtu = mtu;
  }

  setUp(up: boolean): void {
    this.call(this.name, () => this.device.setUp(up));
  }

  /** Adds an address in CIDR notation (its prefix route comes with it); repeating is harmless. */
  addAddress(cidr: string): void {
    const { family, address, prefixLength } = parseCidr(cidr);
    this.call(`${this.name} (address ${cidr})`, () => this.device.addAddress(family, address, prefixLength));
  }

  /** Routes a CIDR prefix into this interface (main table); repeating is harmless. */
  addRoute(cidr: string): void {
    const { family, address, prefixLength } = parseCidr(cidr);
    this.call(`${this.name} (route ${cidr})`, () => this.device.addRoute(family, address, prefixLength));
  }

  onBatch(handler: BatchHandler): this {
    if (this.isClosed) throw new TunError('CLOSED', `${this.name} is closed`);
    this.handler = handler;
    if (this.batch === null) {
      // Packets are packed one after the other; a read needs 64 KiB of room (nothing is ever
      // cut), the rest holds the batch at the current MTU, bounded whatever the MTU.
      const bytes = MAX_PACKET + Math.min(this.batchSize * this.currentMtu, MAX_BATCH_BYTES);
      const buffer = new Uint8Array(bytes);
      const offsets = new Uint32Array(this.batchSize);
      const lengths = new Uint32Array(this.batchSize);
      this.batch = new ReusedBatch(buffer, offsets, lengths);
      this.isPaused = false;
      this.device.startReading(buffer, offsets, lengths, this.batchSize, this.deliver);
    }
    return this;
  }

  onError(handler: (error: TunError) => void): this {
    this.errorHandler = handler;
    return this;
  }

  /** Called by the addon once per wake-up with the number of packets in the batch slots. */
  private readonly deliver = (count: number, errno: number): undefined => {
    const batch = this.batch!;
    let more: boolean | undefined = true;
    if (count > 0 && this.handler !== null) {
      batch.count = count;
      more = this.handler(batch);
      batch.count = 0;
    }
    if (errno !== 0 && !this.isClosed) {
      this.isPaused = true;
      const error = fromNativeError(
        { code: errnoName(errno), syscall: 'read', message: `errno ${errno}` },
        this.name,
      );
      if (this.errorHandler === null) throw error;
      this.errorHandler(error);
    }
    // Paused here, synchronously, not by a return value: microtasks run before the addon regains
    // control, and they may already have called resume().
    if (more === false && !this.isClosed) this.pause();
    return undefined;
  };

  pause(): void {
    if (this.isClosed) return;
    this.isPaused = true;
    this.device.pause();
  }

  resume(): void {
    if (this.isClosed || this.batch === null) return;
    this.isPaused = false;
    this.device.resume();
  }

  writeBatch(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number {
    return this.call(this.name, () =>
      this.device.writeBatch(buffer, offsets, lengths, count, this.maxPacketSize),
    );
  }

  write(packet: Uint8Array): boolean {
    return this.call(this.name, () => this.device.write(packet, this.maxPacketSize));
  }

  ref(): this {
    if (!this.isClosed) this.device.ref();
    return this;
  }

  unref(): this {
    if (!this.isClosed) this.device.unref();
    return this;
  }

  stats(): TunStats {
    const s = this.device.stats();
    return {
      packetsRead: s.packetsRead,
      batchesRead: s.batchesRead,
      dropped: s.oversizedDropped + s.malformedDropped,
      superPacketsRead: s.superPacketsRead,
      packetsWritten: s.packetsWritten,
      writeCalls: s.writeCalls,
      superPacketsWritten: s.superPacketsWritten,
    };
  }

  /** Closes the fd; the kernel removes the interface with it. Idempotent; no handler call after it. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.isPaused = true;
    this.handler = null;
    this.device.close();
  }
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));

function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}
