/**
 * Benchmark: CPU time to simulate one hour of two nodes with a 50 packets/s flow each way.
 * Prints figures only (never pass/fail). Run with `pnpm --filter @pathwire/netsim bench`.
 */
import { EchoNode, Flow, type NodeIO, type SimNode, Simulator, TunnelNode } from '../index.js';

interface CpuUsage {
  user: number;
  system: number;
}
// The library is built without Node types; the bench script reads Node's globals directly.
const { process: proc, console } = globalThis as unknown as {
  process: { cpuUsage(prev?: CpuUsage): CpuUsage; version: string };
  console: { log(line: string): void };
};

const HOUR = 3_600_000;

function cpuSeconds(fn: () => number): { seconds: number; events: number } {
  const start = proc.cpuUsage();
  const events = fn();
  const used = proc.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, events };
}

/** Two plain tunnel nodes, inner UDP flows of 1000 bytes at 50 packets/s each way. */
function tunnelFlows(): number {
  const sim = new Simulator({ seed: 1 });
  const a = sim.addHost('a', { addresses: ['192.0.2.1'] });
  const b = sim.addHost('b', { addresses: ['198.51.100.1'] });
  sim.path('192.0.2.1', '198.51.100.1', { delay: 20, jitter: 2, loss: 0.001 });
  const port = 51820;
  const na = sim.attach(new TunnelNode({ address: '198.51.100.1', port }, { keepalive: 25_000 }), {
    host: a,
    port,
  });
  const nb = sim.attach(new TunnelNode({ address: '192.0.2.1', port }, { keepalive: 25_000 }), {
    host: b,
    port,
  });
  new Flow(sim, { from: na, to: nb, rate: 50, size: 1000, stop: HOUR });
  new Flow(sim, { from: nb, to: na, rate: 50, size: 1000, stop: HOUR });
  sim.run(HOUR);
  return sim.eventsProcessed;
}

/** A node that sends a 100-byte datagram to an echo server every 10 ms (100 datagrams/s on the wire each way). */
class Pinger implements SimNode {
  private next = 0;
  private readonly bytes = new Uint8Array(100);
  onDatagram(): void {}
  onWake(io: NodeIO): void {
    io.send({ address: '198.51.100.1', port: 7 }, this.bytes);
    this.next = io.now + 10;
  }
  nextWake(): number {
    return this.next;
  }
}

/** The simulator core alone: datagram echo, no inner packets, no generators. */
function datagramEcho(): number {
  const sim = new Simulator({ seed: 1 });
  const a = sim.addHost('a', { addresses: ['192.0.2.1'] });
  const b = sim.addHost('b', { addresses: ['198.51.100.1'] });
  sim.path('192.0.2.1', '198.51.100.1', { delay: 20, jitter: 2 });
  sim.attach(new Pinger(), { host: a, port: 5000 });
  sim.attach(new EchoNode(), { host: b, port: 7 });
  sim.run(HOUR);
  return sim.eventsProcessed;
}

function report(name: string, fn: () => number): void {
  fn(); // warm-up
  const runs = [cpuSeconds(fn), cpuSeconds(fn), cpuSeconds(fn)].sort((x, y) => x.seconds - y.seconds);
  const median = runs[1]!;
  const eventsPerSecond = median.events / median.seconds;
  console.log(
    `${name.padEnd(44)} ${median.seconds.toFixed(2)} s CPU per simulated hour, ` +
      `${median.events} events, ${(eventsPerSecond / 1e6).toFixed(2)} M events/s ` +
      `(min ${runs[0]!.seconds.toFixed(2)} s, max ${runs[2]!.seconds.toFixed(2)} s)`,
  );
}

console.log(`netsim bench, node ${proc.version}, median of 3 after warm-up`);
report('tunnel nodes, 2 x 50 pkt/s inner UDP flows', tunnelFlows);
report('datagram echo, 100 datagrams/s (core only)', datagramEcho);
