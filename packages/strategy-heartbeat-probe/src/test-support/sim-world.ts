/**
 * A client with one address and a server multi-homed on two ISPs, on virtual time
 * (`@pathwire/netsim`), an engine `Device` on each (seeded, deterministic secrets), the
 * client configured with both server addresses. The server learns the client (as a server does)
 * and runs heartbeat-probe too, or roaming, or a stock-WireGuard stand-in (`answerProbes: false`:
 * it roams to the source of a probe, then drops it, as wireguard-go does).
 */
import { nobleBackend } from '@pathwire/crypto';
import { Device, DeviceNode } from '@pathwire/engine';
import { type Path, Ping, Random, Simulator } from '@pathwire/netsim';
import type { StrategyV1 } from '@pathwire/strategy';

export const PORT = 51820;
export const CLIENT = '192.0.2.10';
export const ISP1 = '198.51.100.1';
export const ISP2 = '203.0.113.1';
export const CLIENT_INNER = '10.0.0.1';
export const SERVER_INNER = '10.0.0.2';
const EPOCH = Date.UTC(2026, 0, 1);

export const key = (address: string): string => `${address}:${PORT}`;

function makeDevice(seed: number, answerProbes: boolean): { node: DeviceNode; device: Device } {
  const node = new DeviceNode();
  const random = Random.fromSeed(seed);
  const secrets = Random.fromSeed(seed + 7777);
  const privateKey = new Uint8Array(32);
  const keyRandom = Random.fromSeed(seed + 1000);
  for (let i = 0; i < 32; i += 4) new DataView(privateKey.buffer).setUint32(i, keyRandom.nextUint32());
  const device = new Device({
    backend: nobleBackend,
    privateKey,
    io: node.deviceIO,
    random: () => random.next(),
    wallClock: (now) => EPOCH + now,
    answerProbes,
    deterministicSecrets: (bytes) => {
      for (let i = 0; i < bytes.length; i += 4)
        new DataView(bytes.buffer, bytes.byteOffset).setUint32(i, secrets.nextUint32());
      return bytes;
    },
  });
  node.attach(device);
  return { node, device };
}

export interface World {
  readonly sim: Simulator;
  readonly client: Device;
  readonly server: Device;
  readonly isp1: Path;
  readonly isp2: Path;
  /** The client's active endpoint for the server, and the server's for the client. */
  clientActive(): string | undefined;
  serverActive(): string | undefined;
  ping(interval: number, stop: number, start?: number): Ping;
}

export interface WorldOptions {
  readonly seed: number;
  readonly clientStrategy: StrategyV1;
  readonly serverStrategy?: StrategyV1;
  /** false: the server behaves as a stock WireGuard towards probes. */
  readonly serverAnswersProbes?: boolean;
  readonly isp1?: { delay?: number; jitter?: number; loss?: number };
  readonly isp2?: { delay?: number; jitter?: number; loss?: number };
}

export function createWorld(options: WorldOptions): World {
  const sim = new Simulator({ seed: options.seed });
  const clientHost = sim.addHost('client', { addresses: [CLIENT] });
  const serverHost = sim.addHost('server', { addresses: [ISP1, ISP2] });
  const isp1 = sim.path(CLIENT, ISP1, { delay: 10, jitter: 1, ...options.isp1 });
  const isp2 = sim.path(CLIENT, ISP2, { delay: 15, jitter: 1, ...options.isp2 });
  const c = makeDevice(options.seed * 10 + 1, true);
  const s = makeDevice(options.seed * 10 + 2, options.serverAnswersProbes ?? true);
  c.device.setPeer(
    {
      publicKey: s.device.publicKey,
      allowedIPs: [`${SERVER_INNER}/32`],
      endpoints: [ISP1, ISP2].map((address) => ({ address, port: PORT })),
      strategy: options.clientStrategy,
    },
    0,
  );
  s.device.setPeer(
    {
      publicKey: c.device.publicKey,
      allowedIPs: [`${CLIENT_INNER}/32`],
      ...(options.serverStrategy ? { strategy: options.serverStrategy } : {}),
    },
    0,
  );
  const clientHandle = sim.attach(c.node, { host: clientHost, port: PORT, name: 'client' });
  const serverHandle = sim.attach(s.node, { host: serverHost, port: PORT, name: 'server' });
  return {
    sim,
    client: c.device,
    server: s.device,
    isp1,
    isp2,
    clientActive: () => c.device.peer(s.device.publicKey)?.active?.key,
    serverActive: () => s.device.peer(c.device.publicKey)?.active?.key,
    ping: (interval, stop, start) =>
      new Ping(sim, {
        from: clientHandle,
        to: serverHandle,
        src: CLIENT_INNER,
        dst: SERVER_INNER,
        interval,
        stop,
        ...(start !== undefined ? { start } : {}),
      }),
  };
}
