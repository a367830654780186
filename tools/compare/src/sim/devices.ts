/**
 * Engine devices for a simulated run: seeded keys, seeded randomness and seeded ephemeral secrets
 * (`deterministicSecrets`), so a run replays byte for byte from its seed.
 */
import { nodeBackend } from '@pathwire/crypto/node';
import { Device, DeviceNode } from '@pathwire/engine';
import type { Random } from '@pathwire/netsim';

/** The wall clock at virtual time 0 (TAI64N timestamps must be realistic). */
export const EPOCH = Date.UTC(2026, 0, 1);

function fill(random: Random, bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.length; i += 4) view.setUint32(i, random.nextUint32());
  return bytes;
}

export interface SimDevice {
  readonly node: DeviceNode;
  readonly device: Device;
}

/** A device whose every secret and random choice comes from `random` (a stream forked per device). */
export function makeDevice(random: Random): SimDevice {
  const node = new DeviceNode();
  const device = new Device({
    backend: nodeBackend,
    privateKey: fill(random, new Uint8Array(32)),
    io: node.deviceIO,
    random: () => random.next(),
    wallClock: (now) => EPOCH + now,
    deterministicSecrets: (bytes) => fill(random, bytes),
  });
  node.attach(device);
  return { node, device };
}
