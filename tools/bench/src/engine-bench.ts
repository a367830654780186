/**
 * Engine benchmarks (issue: engine, strategy, netsim): encapsulate/decapsulate packets/s for
 * 1420-byte packets against raw transport seal/open in the same run; memory per peer with
 * 10,000 peers of 4 endpoints; the cost of a wake-up with 10,000 idle peers; CPU time of one
 * simulated hour of a two-peer tunnel with a 50 packets/s flow. Figures only.
 */
import { cpuUsage } from 'node:process';
import type { CryptoBackend } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { Device, DeviceNode } from '@pathwire/engine';
import { deliveryRatio, Flow, Random, Simulator } from '@pathwire/netsim';
import { Keypair, openData, sealData, sealedLength } from '@pathwire/transport';
import { measure, thousands } from './measure.js';

const SECONDS = Number(process.env.PATHWIRE_BENCH_SECONDS ?? 1);
const SIZE = 1420;

function ipv4Packet(size: number, source: number[], destination: number[]): Uint8Array {
  const packet = new Uint8Array(size);
  packet[0] = 0x45;
  packet[2] = size >> 8;
  packet[3] = size & 255;
  packet[8] = 64;
  packet[9] = 17;
  packet.set(source, 12);
  packet.set(destination, 16);
  return packet;
}

/** Two devices wired back to back in memory, with a completed handshake. */
function pair(backend: CryptoBackend) {
  let toB: Uint8Array[] = [];
  let toA: Uint8Array[] = [];
  let delivered = 0;
  const a: Device = new Device({
    backend,
    privateKey: backend.generateSecretKey(),
    io: { sendDatagram: (_to, bytes) => toB.push(bytes), writePacket: () => {} },
  });
  const b: Device = new Device({
    backend,
    privateKey: backend.generateSecretKey(),
    io: { sendDatagram: (_to, bytes) => toA.push(bytes), writePacket: () => delivered++ },
  });
  const now = Date.now();
  a.setPeer(
    {
      publicKey: b.publicKey,
      allowedIPs: ['10.0.0.2/32'],
      endpoints: [{ address: '192.0.2.2', port: 51820 }],
    },
    now,
  );
  b.setPeer({ publicKey: a.publicKey, allowedIPs: ['10.0.0.1/32'] }, now);
  const packet = ipv4Packet(SIZE, [10, 0, 0, 1], [10, 0, 0, 2]);
  a.sendPacket(now, packet);
  for (let round = 0; round < 4; round++) {
    for (const d of toB.splice(0)) b.receiveDatagram(now, { address: '192.0.2.1', port: 51820 }, d);
    for (const d of toA.splice(0)) a.receiveDatagram(now, { address: '192.0.2.2', port: 51820 }, d);
  }
  toB = [];
  toA = [];
  return { a, b, packet, now, toB: () => toB, resetToB: () => (toB = []), delivered: () => delivered };
}

function dataPath(): void {
  const backend = nodeBackend;
  const { a, b, packet, now, toB, resetToB, delivered } = pair(backend);
  const encapsulate = measure(() => {
    a.sendPacket(now, packet);
    if (toB().length > 4096) resetToB();
  }, SECONDS);
  resetToB();
  const batch = 8192;
  for (let i = 0; i < batch; i++) a.sendPacket(now, packet);
  const datagrams = toB().slice();
  resetToB();
  const source = { address: '192.0.2.1', port: 51820 };
  const start = performance.now();
  const before = delivered();
  for (const datagram of datagrams) b.receiveDatagram(now, source, datagram);
  const decapsulated = delivered() - before;
  const decapsulate = decapsulated / ((performance.now() - start) / 1000);

  const key = backend.generateSecretKey();
  const sender = new Keypair(
    { sendKey: key, receiveKey: key, localIndex: 1, remoteIndex: 2, isInitiator: true },
    0,
  );
  const receiver = new Keypair(
    { sendKey: key, receiveKey: key, localIndex: 2, remoteIndex: 1, isInitiator: false },
    0,
  );
  const out = new Uint8Array(sealedLength(SIZE));
  const rawSeal = measure(() => sealData(backend, sender, packet, out), SECONDS);
  const sealed = Array.from({ length: batch }, () => {
    const message = new Uint8Array(sealedLength(SIZE));
    sealData(backend, sender, packet, message);
    return message;
  });
  const fresh = new Keypair(
    { sendKey: key, receiveKey: key, localIndex: 2, remoteIndex: 1, isInitiator: false },
    0,
  );
  void receiver;
  const plain = new Uint8Array(SIZE + 64);
  const openStart = performance.now();
  for (const message of sealed.slice(-batch)) openData(backend, fresh, message, plain);
  const rawOpen = batch / ((performance.now() - openStart) / 1000);
  console.log('| path (node backend, 1420 B) | engine packets/s | raw transport packets/s | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(
    `| encapsulate (TUN packet → datagram) | ${thousands(encapsulate.perSecond)} | ${thousands(rawSeal.perSecond)} (sealData) | ${(encapsulate.perSecond / rawSeal.perSecond).toFixed(2)} |`,
  );
  console.log(
    `| decapsulate (datagram → TUN packet) | ${thousands(decapsulate)} | ${thousands(rawOpen)} (openData) | ${(decapsulate / rawOpen).toFixed(2)} |`,
  );
  if (decapsulated !== batch)
    console.log(`(warning: ${batch - decapsulated} of ${batch} datagrams not delivered)`);
}

function heapUsed(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

function manyPeers(): void {
  const backend = nodeBackend;
  const device = new Device({
    backend,
    privateKey: backend.generateSecretKey(),
    io: { sendDatagram: () => {}, writePacket: () => {} },
  });
  const keys = Array.from({ length: 10_000 }, () => backend.publicKey(backend.generateSecretKey()));
  const before = heapUsed();
  const now = 0;
  keys.forEach((publicKey, i) => {
    const a = i >> 8;
    const b = i & 255;
    device.setPeer(
      {
        publicKey,
        allowedIPs: [`10.${a}.${b}.0/24`, `fd00:${i.toString(16)}::/64`],
        endpoints: [
          { address: `198.51.${a}.${b}`, port: 51820 },
          { address: `203.0.${a}.${b}`, port: 51820 },
          { address: `2001:db8:${i.toString(16)}::1`, port: 51820 },
          { address: `192.168.${a}.${b}`, port: 51820 },
        ],
      },
      now,
    );
  });
  const after = heapUsed();
  console.log(
    `\nmemory: ${thousands((after - before) / keys.length)} bytes per peer (10,000 peers × 4 endpoints, 2 allowed-IP prefixes each, no session)`,
  );
  if (!globalThis.gc) console.log('(run with --expose-gc for a stable figure)');

  // A wake-up with 10,000 idle peers and one due timer must not scan them all.
  const one = device.peer(keys[0]!)!;
  device.setPeer({ publicKey: one.publicKey, persistentKeepalive: 25 }, now);
  const rounds = 20_000;
  const start = performance.now();
  let t = now;
  for (let i = 0; i < rounds; i++) {
    t += 25_000;
    device.tick(t);
  }
  const perTick = ((performance.now() - start) / rounds) * 1000;
  const emptyStart = performance.now();
  for (let i = 0; i < rounds; i++) device.tick(t);
  const perEmptyTick = ((performance.now() - emptyStart) / rounds) * 1000;
  console.log(
    `wake-up with 10,000 idle peers: ${perTick.toFixed(2)} µs with one peer's timer due (keepalive sent), ${perEmptyTick.toFixed(3)} µs with none due`,
  );
}

function simulatedHour(): void {
  const sim = new Simulator({ seed: 1 });
  const hostA = sim.addHost('a', { addresses: ['192.0.2.1'] });
  const hostB = sim.addHost('b', { addresses: ['198.51.100.1'] });
  sim.path('192.0.2.1', '198.51.100.1', { delay: 10, jitter: 1 });
  const make = (seed: number) => {
    const node = new DeviceNode();
    const random = Random.fromSeed(seed);
    const device = new Device({
      backend: nodeBackend,
      privateKey: nodeBackend.generateSecretKey(),
      io: node.deviceIO,
      random: () => random.next(),
      wallClock: (now) => Date.UTC(2026, 0, 1) + now,
    });
    return { node: node.attach(device), device };
  };
  const a = make(1);
  const b = make(2);
  a.device.setPeer(
    {
      publicKey: b.device.publicKey,
      allowedIPs: ['10.0.0.2/32'],
      endpoints: [{ address: '198.51.100.1', port: 51820 }],
    },
    0,
  );
  b.device.setPeer({ publicKey: a.device.publicKey, allowedIPs: ['10.0.0.1/32'] }, 0);
  const ha = sim.attach(a.node, { host: hostA, port: 51820 });
  const hb = sim.attach(b.node, { host: hostB, port: 51820 });
  const hour = 3_600_000;
  const flow = new Flow(sim, {
    from: ha,
    to: hb,
    rate: 50,
    size: 1000,
    src: '10.0.0.1',
    dst: '10.0.0.2',
    stop: hour,
  });
  const cpuBefore = cpuUsage();
  const events = sim.run(hour + 1000);
  const cpu = cpuUsage(cpuBefore);
  const seconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `\nsimulator: one simulated hour of a two-peer tunnel, 50 packets/s of 1000 B (node backend): ${seconds.toFixed(2)} s CPU, ${thousands(events)} events, delivery ${(deliveryRatio(flow.records) * 100).toFixed(2)} %, ${a.device.counters.handshakesCompleted + b.device.counters.handshakesCompleted} handshakes`,
  );
}

console.log(`# engine benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
// PATHWIRE_BENCH_ONLY=data-path runs the data path alone (for repeated before/after runs).
const only = process.env.PATHWIRE_BENCH_ONLY;
dataPath();
if (only !== 'data-path') {
  manyPeers();
  simulatedHour();
}
