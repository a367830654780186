/** Loads the Node-API addon (build/Release/pathwire_tun.node) from ESM via createRequire. */
import { createRequire } from 'node:module';
import { TunError } from './errors.js';

/** The addon's TunDevice (native/tun-device.h); see there for each method's contract. */
export interface NativeTunDevice {
  name(): string;
  ifindex(): number;
  fd(): number;
  setMtu(mtu: number): void;
  setUp(up: boolean): void;
  addAddress(family: 4 | 6, address: Uint8Array, prefixLength: number): void;
  addRoute(family: 4 | 6, destination: Uint8Array, prefixLength: number): void;
  startReading(
    buffer: Uint8Array,
    offsets: Uint32Array,
    lengths: Uint32Array,
    limit: number,
    callback: (count: number, errno: number) => void,
  ): void;
  pause(): void;
  resume(): void;
  ref(): void;
  unref(): void;
  writeBatch(
    buffer: Uint8Array,
    offsets: Uint32Array,
    lengths: Uint32Array,
    count: number,
    maxLength: number,
  ): number;
  write(packet: Uint8Array, maxLength: number): boolean;
  stats(): {
    packetsRead: number;
    batchesRead: number;
    oversizedDropped: number;
    malformedDropped: number;
    superPacketsRead: number;
    packetsWritten: number;
    writeCalls: number;
    superPacketsWritten: number;
    coalesceRefused: number;
  };
  offloads(): TunOffloads;
  close(): void;
}

/** What the kernel granted at open (TUNSETOFFLOAD), see native/offload.h. */
export interface TunOffloads {
  /** IFF_VNET_HDR: each read and write carries a virtio_net_hdr (needed for all the rest). */
  readonly vnetHeader: boolean;
  /** TUN_F_CSUM: packets may come with a partial checksum, completed in the addon. */
  readonly checksum: boolean;
  /** TUN_F_TSO4 / TSO6: TCP super-packets of up to 64 KiB are read and split in the addon. */
  readonly tso4: boolean;
  readonly tso6: boolean;
  /** TUN_F_USO4 / USO6 (Linux 6.2+): the same for UDP. */
  readonly uso4: boolean;
  readonly uso6: boolean;
}

export interface NativeBinding {
  TunDevice: new (name: string, netnsPath: string, offload: boolean) => NativeTunDevice;
  /** Test hook: the packets the read path delivers for one read (virtio_net_hdr + packet); null: dropped. */
  offloadRead(read: Uint8Array): Uint8Array[] | null;
  /** Test hook: the writes (virtio_net_hdr + packet) the write path makes of one batch. */
  offloadWrite(packets: Uint8Array[]): Uint8Array[];
}

let binding: NativeBinding | undefined;

export function loadNative(): NativeBinding {
  if (binding) return binding;
  if (process.platform !== 'linux') {
    throw new TunError(
      'NATIVE_UNAVAILABLE',
      `TUN devices need Linux (this is ${process.platform}); use MemoryTun`,
    );
  }
  try {
    binding = createRequire(import.meta.url)('../build/Release/pathwire_tun.node') as NativeBinding;
    return binding;
  } catch (error) {
    throw new TunError(
      'NATIVE_UNAVAILABLE',
      'the TUN addon is not built: run `pnpm --filter @pathwire/tun build` (needs g++, make, python3 and Node headers)',
      undefined,
      undefined,
      { cause: error },
    );
  }
}
