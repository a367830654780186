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
    slots: Uint8Array,
    slotSize: number,
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
    packetsWritten: number;
    writeCalls: number;
  };
  close(): void;
}

export interface NativeBinding {
  TunDevice: new (name: string, netnsPath: string) => NativeTunDevice;
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
