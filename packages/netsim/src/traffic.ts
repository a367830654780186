/**
 * Traffic generators that work through nodes' tunnels: a constant-rate flow (inner UDP
 * packets from A's tunnel, recorded when B delivers them to its tunnel) and ping (ICMP echo
 * from A; B's tunnel side answers; the RTT is recorded when A delivers the reply).
 */
import { NetsimError } from './errors.js';
import { buildProbePacket, echoReplyFor, MIN_PROBE_PACKET, parseProbePacket } from './inner-packet.js';
import type { NodeHandle } from './node-handle.js';
import type { Simulator } from './simulator.js';

/** One generated packet. `deliveredAt` is unset while lost or still in flight. */
export interface DeliveryRecord {
  seq: number;
  sentAt: number;
  /** Flow: time B delivered it to its tunnel. Ping: time A delivered the reply (RTT = deliveredAt - sentAt). */
  deliveredAt?: number;
  /** Copies delivered after the first. */
  duplicates?: number;
}

interface GeneratorOptions {
  from: NodeHandle;
  to: NodeHandle;
  /** First packet at this time. Default: now. */
  start?: number;
  /** No packet at or after this time. Default: never. */
  stop?: number;
  /** Stop after this many packets. Default: unlimited. */
  count?: number;
  /** Inner source / destination IPv4 addresses. Default 10.0.0.1 / 10.0.0.2. */
  src?: string;
  dst?: string;
  /** Identifies the generator in its packets (and ICMP identifier). Default: a counter. */
  flowId?: number;
  /** Total inner packet size in bytes (>= 48). Default 48. */
  size?: number;
}

export interface FlowOptions extends GeneratorOptions {
  /** Packets per second. */
  rate: number;
}

export interface PingOptions extends GeneratorOptions {
  /** Milliseconds between echo requests. Default 1000. */
  interval?: number;
  /** Install an echo responder on `to`'s tunnel. Default true. */
  respond?: boolean;
}

/** Flow ids are numbered per simulator, so two runs of one script build identical packets. */
const flowIds = new WeakMap<Simulator, number>();

function nextFlowId(sim: Simulator): number {
  const id = flowIds.get(sim) ?? 1;
  flowIds.set(sim, id + 1);
  return id;
}

/** Base of `Flow` and `Ping`: schedules packets at start + i * interval. */
abstract class Generator {
  readonly flowId: number;
  readonly records: DeliveryRecord[] = [];
  protected stopped = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    protected readonly sim: Simulator,
    protected readonly options: GeneratorOptions,
    private readonly interval: number,
  ) {
    if (!(interval > 0) || !Number.isFinite(interval)) {
      throw new NetsimError('INVALID_ARGUMENT', `generator interval must be > 0 ms, got ${interval}`);
    }
    if ((options.size ?? MIN_PROBE_PACKET) < MIN_PROBE_PACKET) {
      throw new NetsimError('INVALID_ARGUMENT', `inner packet size must be >= ${MIN_PROBE_PACKET}`);
    }
    this.flowId = options.flowId ?? nextFlowId(sim);
    const start = options.start ?? sim.now;
    sim.at(start, () => this.tick(start, 0));
  }

  /** Stop sending (records so far are kept; packets in flight are still recorded). */
  stop(): void {
    this.stopped = true;
  }

  /** Stop and stop listening to tunnels. */
  dispose(): void {
    this.stopped = true;
    for (const u of this.unsubscribe.splice(0)) u();
  }

  protected listen(handle: NodeHandle, listener: (packet: Uint8Array, now: number) => void): void {
    this.unsubscribe.push(handle.onTunnel(listener));
  }

  protected abstract emit(seq: number): void;

  protected markDelivered(seq: number, now: number): void {
    const r = this.records[seq];
    if (!r) return;
    if (r.deliveredAt === undefined) r.deliveredAt = now;
    else r.duplicates = (r.duplicates ?? 0) + 1;
  }

  private tick(start: number, seq: number): void {
    const { stop, count } = this.options;
    if (this.stopped || (stop !== undefined && this.sim.now >= stop) || (count !== undefined && seq >= count))
      return;
    this.records.push({ seq, sentAt: this.sim.now });
    this.emit(seq);
    this.sim.at(start + (seq + 1) * this.interval, () => this.tick(start, seq + 1));
  }
}

/**
 * A constant-rate flow of inner UDP packets from `from`'s tunnel to `to`'s tunnel.
 *
 * @example
 * ```ts
 * const flow = new Flow(sim, { from: a, to: b, rate: 50, size: 1000, stop: 60_000 });
 * sim.run(61_000);
 * deliveryRatio(flow.records);
 * ```
 */
export class Flow extends Generator {
  constructor(sim: Simulator, options: FlowOptions) {
    super(sim, options, 1000 / options.rate);
    this.listen(options.to, (packet, now) => {
      const probe = parseProbePacket(packet);
      if (probe?.kind === 'udp' && probe.flowId === this.flowId) this.markDelivered(probe.seq, now);
    });
  }

  protected emit(seq: number): void {
    const o = this.options;
    this.options.from.injectOwned(
      buildProbePacket({
        kind: 'udp',
        src: o.src ?? '10.0.0.1',
        dst: o.dst ?? '10.0.0.2',
        flowId: this.flowId,
        seq,
        sentAt: this.sim.now,
        size: o.size ?? MIN_PROBE_PACKET,
      }),
    );
  }
}

const responders = new WeakSet<NodeHandle>();

/** Make `handle`'s tunnel side answer every ICMP echo request it receives (once per handle). */
export function installEchoResponder(handle: NodeHandle): void {
  if (responders.has(handle)) return;
  responders.add(handle);
  handle.onTunnel((packet) => {
    const reply = echoReplyFor(packet);
    if (reply) handle.injectOwned(reply);
  });
}

/**
 * ICMP echo from `from`'s tunnel to `to`'s; records hold the RTT as `deliveredAt - sentAt`.
 *
 * @example
 * ```ts
 * const ping = new Ping(sim, { from: a, to: b, interval: 1000, count: 10 });
 * sim.run(20_000);
 * latencySummary(ping.records).p50; // median RTT
 * ```
 */
export class Ping extends Generator {
  constructor(sim: Simulator, options: PingOptions) {
    super(sim, options, options.interval ?? 1000);
    if (options.respond ?? true) installEchoResponder(options.to);
    this.listen(options.from, (packet, now) => {
      const probe = parseProbePacket(packet);
      if (probe?.kind === 'echo-reply' && probe.flowId === this.flowId) this.markDelivered(probe.seq, now);
    });
  }

  protected emit(seq: number): void {
    const o = this.options;
    this.options.from.injectOwned(
      buildProbePacket({
        kind: 'echo-request',
        src: o.src ?? '10.0.0.1',
        dst: o.dst ?? '10.0.0.2',
        flowId: this.flowId,
        seq,
        sentAt: this.sim.now,
        size: o.size ?? MIN_PROBE_PACKET,
      }),
    );
  }
}
