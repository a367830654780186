/**
 * A two-peer world on virtual time for engine tests: hosts A and B joined by one IPv4 path,
 * a device on each, A configured with B's endpoint, B learning A's (as a server does).
 */
import { nobleBackend } from '@pathwire/crypto';
import { type Host, type NodeHandle, type Path, Random, Simulator } from '@pathwire/netsim';
import type { StrategyV1 } from '@pathwire/strategy';
import { Device } from '../device.js';
import { DeviceNode } from '../sim-node.js';
import { WireTap } from './wire-tap.js';

export const PORT = 51820;
export const A_INNER = '10.0.0.1';
export const B_INNER = '10.0.0.2';
/** The wall clock at virtual time 0 (TAI64N timestamps must be realistic). */
export const EPOCH = Date.UTC(2026, 0, 1);

export interface Side {
  readonly host: Host;
  readonly node: DeviceNode;
  readonly handle: NodeHandle;
  readonly device: Device;
  readonly address: string;
  /** Every datagram the node sent and received (see `WireTap`). */
  readonly wire: WireTap;
}

export interface TwoPeers {
  readonly sim: Simulator;
  readonly path: Path;
  readonly a: Side;
  readonly b: Side;
}

export interface TwoPeerOptions {
  readonly seed?: number;
  readonly presharedKey?: Uint8Array;
  readonly persistentKeepalive?: number;
  readonly strategyA?: StrategyV1;
  /** Give B A's endpoint too (both sides can initiate). */
  readonly bKnowsA?: boolean;
  readonly delay?: number;
  /** Keep the bytes of every datagram in the wire logs. */
  readonly capture?: boolean;
}

/** A deterministic 32-byte secret from a seed, so simulated runs replay exactly. */
export function seededKey(seed: number): Uint8Array {
  return Random.fromSeed(seed).nextBytes(32);
}

export function makeDevice(seed: number): { node: DeviceNode; device: Device } {
  const node = new DeviceNode();
  const random = Random.fromSeed(seed);
  const secrets = Random.fromSeed(seed + 7777);
  const device = new Device({
    backend: nobleBackend,
    privateKey: seededKey(seed + 1000),
    io: node.deviceIO,
    random: () => random.next(),
    wallClock: (now) => EPOCH + now,
    deterministicSecrets: (bytes) => {
      for (let i = 0; i < bytes.length; i += 4)
        new DataView(bytes.buffer, bytes.byteOffset).setUint32(i, secrets.nextUint32());
      return bytes;
    },
  });
  node.attach(device);
  return { node, device };
}

export function twoPeers(options: TwoPeerOptions = {}): TwoPeers {
  const seed = options.seed ?? 1;
  const sim = new Simulator({ seed });
  const hostA = sim.addHost('a', { addresses: ['192.0.2.1'] });
  const hostB = sim.addHost('b', { addresses: ['198.51.100.1'] });
  const path = sim.path('192.0.2.1', '198.51.100.1', { delay: options.delay ?? 10 });
  const da = makeDevice(seed * 10 + 1);
  const db = makeDevice(seed * 10 + 2);
  da.device.setPeer(
    {
      publicKey: db.device.publicKey,
      allowedIPs: [`${B_INNER}/32`],
      endpoints: [{ address: '198.51.100.1', port: PORT }],
      ...(options.presharedKey ? { presharedKey: options.presharedKey } : {}),
      ...(options.strategyA ? { strategy: options.strategyA } : {}),
    },
    0,
  );
  db.device.setPeer(
    {
      publicKey: da.device.publicKey,
      allowedIPs: [`${A_INNER}/32`],
      ...(options.bKnowsA ? { endpoints: [{ address: '192.0.2.1', port: PORT }] } : {}),
      ...(options.presharedKey ? { presharedKey: options.presharedKey } : {}),
    },
    0,
  );
  const wa = new WireTap(da.node);
  const wb = new WireTap(db.node);
  wa.capture = wb.capture = options.capture ?? false;
  const ha = sim.attach(wa, { host: hostA, port: PORT, name: 'a' });
  const hb = sim.attach(wb, { host: hostB, port: PORT, name: 'b' });
  const world: TwoPeers = {
    sim,
    path,
    a: { host: hostA, node: da.node, handle: ha, device: da.device, address: '192.0.2.1', wire: wa },
    b: { host: hostB, node: db.node, handle: hb, device: db.device, address: '198.51.100.1', wire: wb },
  };
  if (options.persistentKeepalive) {
    // Turned on once A is attached: wireguard-go sends a keepalive (here: the first initiation) at once.
    const keepalive = options.persistentKeepalive;
    onNode(world, 'a', (now) =>
      da.device.setPeer({ publicKey: db.device.publicKey, persistentKeepalive: keepalive }, now),
    );
  }
  return world;
}

/**
 * Runs `fn` inside a side's node at virtual time `at` (default: now), so that the device's
 * sends and new timers go through the simulator. Use it for any direct device call: a call
 * from a plain `sim.at` script would bypass the node's I/O and its wake-up.
 */
export function onNode(world: TwoPeers, which: 'a' | 'b', fn: (now: number) => void, at?: number): void {
  const side = world[which];
  if (at === undefined) side.wire.act(side.handle, fn);
  else world.sim.at(at, () => side.wire.act(side.handle, fn));
}
