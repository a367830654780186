/**
 * The discrete-event simulator: a virtual clock in milliseconds, one agenda of events
 * ordered by (time, insertion order), hosts, paths and attached nodes. Nothing here reads
 * real time or `Math.random`: a run is a pure function of its seed and its script.
 */

import { Random } from '@pathwire/random';
import { addressFamily, canonicalAddress, type Endpoint } from './endpoint.js';
import { NetsimError } from './errors.js';
import { EventQueue } from './event-queue.js';
import { Host, type HostRegistry, type HostSpec } from './host.js';
import { DEFAULT_LINK, type LinkProps, Path, PathDirection, validateLinkProps } from './link.js';
import type { SendErrorCode, SendResult, SimNode } from './node.js';
import { type NodeDriver, NodeHandle } from './node-handle.js';
import { Timeline } from './timeline.js';

export interface SimulatorOptions {
  /** 32-bit seed of every random stream in the run. Default 1. */
  seed?: number;
  /** Default properties of new paths. */
  defaultLink?: Partial<LinkProps>;
  /** Events allowed at one instant before the run is declared a livelock. Default 1e6. */
  maxEventsPerInstant?: number;
}

export interface AttachOptions {
  host: Host;
  port: number;
  /** Unique name (seeds the node's random stream, tags its timeline entries). Default `host:port`. */
  name?: string;
}

/** Network-wide counters, beyond the per-path ones. */
export interface SimCounters {
  /** Datagrams sent to an address with no path from the chosen source: silently dropped. */
  noPath: number;
  /** Sends that failed at once, by code. */
  sendErrors: Record<SendErrorCode, number>;
  /** Inner packets injected into a node without `onTunnelPacket`. */
  tunnelUnhandled: number;
}

type SimEvent =
  | { kind: 'call'; time: number; seq: number; fn: () => void }
  | {
      kind: 'datagram';
      time: number;
      seq: number;
      dir: PathDirection;
      from: Endpoint;
      to: Endpoint;
      bytes: Uint8Array;
    }
  | { kind: 'wake'; time: number; seq: number; handle: NodeHandle; gen: number }
  | { kind: 'tunnel-in'; time: number; seq: number; handle: NodeHandle; packet: Uint8Array }
  | { kind: 'tunnel-out'; time: number; seq: number; handle: NodeHandle; packet: Uint8Array };

const OK: SendResult = Object.freeze({ ok: true });
const FAIL: Record<SendErrorCode, SendResult> = {
  ENETUNREACH: Object.freeze({ ok: false, code: 'ENETUNREACH' }),
  EADDRNOTAVAIL: Object.freeze({ ok: false, code: 'EADDRNOTAVAIL' }),
  EMSGSIZE: Object.freeze({ ok: false, code: 'EMSGSIZE' }),
};

/**
 * @example
 * ```ts
 * const sim = new Simulator({ seed: 42 });
 * const a = sim.addHost('a', { addresses: ['192.0.2.1'] });
 * const b = sim.addHost('b', { addresses: ['198.51.100.1'] });
 * sim.path('192.0.2.1', '198.51.100.1', { delay: 20 });
 * sim.attach(new EchoNode(), { host: b, port: 7 });
 * sim.at(5_000, () => sim.getPath('192.0.2.1', '198.51.100.1')!.blackhole(true));
 * sim.run(10_000);
 * ```
 */
export class Simulator implements NodeDriver {
  readonly seed: number;
  readonly timeline = new Timeline();
  readonly counters: SimCounters = {
    noPath: 0,
    sendErrors: { ENETUNREACH: 0, EADDRNOTAVAIL: 0, EMSGSIZE: 0 },
    tunnelUnhandled: 0,
  };
  /** Events processed so far (stale wakes excluded). */
  eventsProcessed = 0;

  private current = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly root: Random;
  private readonly rng: Random;
  private readonly defaultLink: LinkProps;
  private readonly maxEventsPerInstant: number;
  private instant = -1;
  private eventsThisInstant = 0;
  private readonly hostsByName = new Map<string, Host>();
  private readonly owners = new Map<string, Host>();
  private readonly directions = new Map<string, PathDirection>();
  private readonly pathList: Path[] = [];
  private readonly nodeNames = new Set<string>();
  private readonly registry: HostRegistry;

  constructor(options: SimulatorOptions = {}) {
    this.seed = (options.seed ?? 1) | 0;
    this.root = Random.fromSeed(this.seed);
    this.rng = this.root.fork('sim');
    const defaults = { ...DEFAULT_LINK, ...options.defaultLink };
    this.checkLink(defaults);
    this.defaultLink = defaults;
    this.maxEventsPerInstant = options.maxEventsPerInstant ?? 1_000_000;
    this.registry = {
      claimAddress: (host, address) => {
        const owner = this.owners.get(address);
        if (owner && owner !== host) {
          throw new NetsimError('DUPLICATE_ADDRESS', `${address} already belongs to host ${owner.name}`);
        }
        if (owner === host && host.interfaces.some((i) => i.addresses.includes(address))) {
          throw new NetsimError('DUPLICATE_ADDRESS', `${address} is already on host ${host.name}`);
        }
        this.owners.set(address, host);
      },
      releaseAddress: (host, address) => {
        if (this.owners.get(address) === host) this.owners.delete(address);
      },
      renumberPaths: (from, to) => this.renumberPaths(from, to),
      log: (kind, data) => this.timeline.add(this.current, 'net', kind, data),
    };
  }

  /** Virtual time, ms. */
  get now(): number {
    return this.current;
  }

  /** Uniform in [0, 1) from the simulator's own stream (for scripts; nodes use `io.random`). */
  random(): number {
    return this.rng.next();
  }

  /** An independent seeded stream for `label` (same seed and label: same stream). */
  forkRandom(label: string): Random {
    return this.root.fork(label);
  }

  // --- topology -------------------------------------------------------------------------

  addHost(name: string, spec: HostSpec = {}): Host {
    if (this.hostsByName.has(name)) throw new NetsimError('DUPLICATE_HOST', `host ${name} exists`);
    // Check every address first, so a failed addHost leaves nothing claimed.
    const seen = new Set<string>();
    for (const text of spec.interfaces?.flatMap((i) => i.addresses) ?? spec.addresses ?? []) {
      const address = canonicalAddress(text);
      const owner = this.owners.get(address);
      if (owner || seen.has(address)) {
        throw new NetsimError(
          'DUPLICATE_ADDRESS',
          `${address} already belongs to host ${owner?.name ?? name}`,
        );
      }
      seen.add(address);
    }
    const host = new Host(name, spec, this.registry);
    this.hostsByName.set(name, host);
    return host;
  }

  host(name: string): Host | undefined {
    return this.hostsByName.get(name);
  }

  /** The host that owns an address (whether or not its interface is up). */
  ownerOf(address: string): Host | undefined {
    return this.owners.get(canonicalAddress(address));
  }

  /**
   * A bidirectional path between two addresses of the same family. `props` applies to both
   * directions unless `reverseProps` (b to a) is given; unspecified fields take the defaults.
   */
  path(a: string, b: string, props: Partial<LinkProps> = {}, reverseProps?: Partial<LinkProps>): Path {
    const x = canonicalAddress(a);
    const y = canonicalAddress(b);
    if (addressFamily(x) !== addressFamily(y)) {
      throw new NetsimError('INVALID_ARGUMENT', `path ${x} <-> ${y} mixes address families`);
    }
    if (x === y) throw new NetsimError('INVALID_ARGUMENT', `path from ${x} to itself`);
    if (this.directions.has(`${x}>${y}`) || this.directions.has(`${y}>${x}`)) {
      throw new NetsimError('DUPLICATE_PATH', `a path ${x} <-> ${y} exists`);
    }
    const forwardProps = { ...this.defaultLink, ...props };
    const backProps = { ...this.defaultLink, ...(reverseProps ?? props) };
    this.checkLink(forwardProps);
    this.checkLink(backProps);
    const check = (p: Partial<LinkProps>) => this.checkLink(p);
    const forward = new PathDirection(x, y, forwardProps, this.root.fork(`path:${x}>${y}`), check);
    const reverse = new PathDirection(y, x, backProps, this.root.fork(`path:${y}>${x}`), check);
    this.directions.set(`${x}>${y}`, forward);
    this.directions.set(`${y}>${x}`, reverse);
    const path = new Path(forward, reverse);
    this.pathList.push(path);
    return path;
  }

  /** The path between two addresses, in either orientation. */
  getPath(a: string, b: string): Path | undefined {
    const x = canonicalAddress(a);
    const y = canonicalAddress(b);
    return this.pathList.find((p) => (p.a === x && p.b === y) || (p.a === y && p.b === x));
  }

  get paths(): readonly Path[] {
    return this.pathList;
  }

  /** Bind a node to a host's port (on all the host's addresses) and query its first wake. */
  attach(node: SimNode, options: AttachOptions): NodeHandle {
    const { host, port } = options;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new NetsimError('INVALID_ARGUMENT', `port ${port} out of range`);
    }
    if (host.ports.has(port)) throw new NetsimError('PORT_IN_USE', `${host.name}:${port} is in use`);
    const name = options.name ?? `${host.name}:${port}`;
    if (this.nodeNames.has(name)) throw new NetsimError('INVALID_ARGUMENT', `node name ${name} is taken`);
    this.nodeNames.add(name);
    const handle = new NodeHandle(this, name, host, port, node, this.root.fork(`node:${name}`));
    host.ports.set(port, handle);
    this.refreshWake(handle);
    return handle;
  }

  /** Unbind a node: its pending wake is cancelled, datagrams to its port are dropped. */
  detach(handle: NodeHandle): void {
    if (!handle.attached) return;
    handle.attached = false;
    handle.wakeGen++;
    handle.wakeAt = undefined;
    handle.host.ports.delete(handle.port);
  }

  // --- scheduling -----------------------------------------------------------------------

  /** Run `fn` at absolute time `t` (after events already scheduled for `t`). */
  at(t: number, fn: () => void): void {
    if (!(t >= this.current)) throw new NetsimError('TIME_IN_PAST', `at(${t}) but now is ${this.current}`);
    this.queue.push({ kind: 'call', time: t, seq: 0, fn });
  }

  /** Run `fn` after `dt` ms. */
  after(dt: number, fn: () => void): void {
    this.at(this.current + dt, fn);
  }

  /** Log a tagged entry to the timeline at the current time. */
  record(source: string, kind: string, data?: unknown): void {
    this.timeline.add(this.current, source, kind, data);
  }

  /** Process one event. Returns false when nothing is left to do. */
  step(untilMs = Number.POSITIVE_INFINITY): boolean {
    for (;;) {
      const ev = this.queue.peek();
      if (!ev || ev.time > untilMs) return false;
      this.queue.pop();
      if (ev.kind === 'wake' && (ev.gen !== ev.handle.wakeGen || !ev.handle.attached)) continue;
      this.advance(ev.time);
      this.dispatch(ev);
      return true;
    }
  }

  /** Process every event at or before `untilMs`, then set the clock to `untilMs`. */
  run(untilMs: number): number {
    if (!(untilMs >= this.current)) {
      throw new NetsimError('TIME_IN_PAST', `run(${untilMs}) but now is ${this.current}`);
    }
    const start = this.eventsProcessed;
    // Bounded by `untilMs`: a stale wake at the top must not let a later event run early.
    while (this.step(untilMs)) {}
    this.current = untilMs;
    return this.eventsProcessed - start;
  }

  /** `run(now + ms)`. */
  runFor(ms: number): number {
    return this.run(this.current + ms);
  }

  /** Events waiting (including stale wakes not yet discarded). */
  get pending(): number {
    return this.queue.size;
  }

  // --- NodeDriver -----------------------------------------------------------------------

  /** @internal */
  sendFrom(handle: NodeHandle, remote: Endpoint, bytes: Uint8Array, local?: Endpoint): SendResult {
    const host = handle.host;
    const family = addressFamily(remote.address);
    if (!handle.attached) return this.fail('EADDRNOTAVAIL');
    if (bytes.length > (family === 4 ? 65507 : 65527)) return this.fail('EMSGSIZE');
    if (!host.familyAvailable(family)) return this.fail('ENETUNREACH');
    let source: string | undefined;
    if (local) {
      if (
        local.port !== handle.port ||
        addressFamily(local.address) !== family ||
        !host.hasAddress(local.address)
      ) {
        return this.fail('EADDRNOTAVAIL');
      }
      source = local.address;
    } else {
      source = host.pickSource(family, remote.address, (f, t) => this.directions.has(`${f}>${t}`));
      if (source === undefined) return this.fail('ENETUNREACH');
    }
    const dir = this.directions.get(`${source}>${remote.address}`);
    if (!dir) {
      this.counters.noPath++;
      return OK;
    }
    const wire = bytes.length + (family === 4 ? 28 : 48);
    const arrival = dir.transmit(this.current, wire, bytes.length);
    if (arrival < 0) return OK;
    this.queue.push({
      kind: 'datagram',
      time: arrival,
      seq: 0,
      dir,
      from: { address: source, port: handle.port },
      to: { address: remote.address, port: remote.port },
      bytes: bytes.slice(),
    });
    return OK;
  }

  /** @internal */
  tunnelOut(handle: NodeHandle, packet: Uint8Array): void {
    this.queue.push({ kind: 'tunnel-out', time: this.current, seq: 0, handle, packet: packet.slice() });
  }

  /** @internal */
  tunnelIn(handle: NodeHandle, packet: Uint8Array, owned = false): void {
    this.queue.push({
      kind: 'tunnel-in',
      time: this.current,
      seq: 0,
      handle,
      packet: owned ? packet : packet.slice(),
    });
  }

  /** @internal */
  recordFrom(handle: NodeHandle, kind: string, data: unknown): void {
    this.timeline.add(this.current, handle.name, kind, data);
  }

  // --- internals ------------------------------------------------------------------------

  private fail(code: SendErrorCode): SendResult {
    this.counters.sendErrors[code]++;
    return FAIL[code];
  }

  private advance(time: number): void {
    if (time === this.instant) {
      if (++this.eventsThisInstant > this.maxEventsPerInstant) {
        throw new NetsimError(
          'LIVELOCK',
          `more than ${this.maxEventsPerInstant} events at t=${time}: a node keeps waking at now?`,
        );
      }
    } else {
      this.instant = time;
      this.eventsThisInstant = 1;
    }
    this.current = time;
    this.eventsProcessed++;
  }

  private dispatch(ev: SimEvent): void {
    switch (ev.kind) {
      case 'call':
        ev.fn();
        return;
      case 'datagram':
        this.deliver(ev.dir, ev.from, ev.to, ev.bytes);
        return;
      case 'wake': {
        const h = ev.handle;
        h.wakeAt = undefined;
        h.node.onWake(h.io);
        this.refreshWake(h);
        return;
      }
      case 'tunnel-in': {
        const h = ev.handle;
        if (!h.attached || !h.node.onTunnelPacket) {
          this.counters.tunnelUnhandled++;
          return;
        }
        h.node.onTunnelPacket(h.io, ev.packet);
        this.refreshWake(h);
        return;
      }
      case 'tunnel-out': {
        const listeners = ev.handle.tunnelListeners;
        for (let i = 0; i < listeners.length; i++) listeners[i]!(ev.packet, this.current);
        return;
      }
    }
  }

  private deliver(dir: PathDirection, from: Endpoint, to: Endpoint, bytes: Uint8Array): void {
    const owner = this.owners.get(to.address);
    const handle = owner?.ports.get(to.port);
    if (!owner) {
      dir.drop('unbound');
    } else if (!owner.hasAddress(to.address) || !owner.familyAvailable(addressFamily(to.address))) {
      dir.drop('unreachable');
    } else if (!handle) {
      dir.drop('unbound');
    } else {
      dir.delivered(bytes.length);
      handle.node.onDatagram(handle.io, to, from, bytes);
      this.refreshWake(handle);
    }
  }

  private refreshWake(h: NodeHandle): void {
    if (!h.attached) return;
    let w = h.node.nextWake();
    if (w === Number.POSITIVE_INFINITY) w = undefined;
    if (w === h.wakeAt) return;
    if (w !== undefined && Number.isNaN(w)) {
      throw new NetsimError('INVALID_ARGUMENT', `node ${h.name}: nextWake() returned NaN`);
    }
    h.wakeGen++;
    h.wakeAt = w;
    if (w === undefined) return;
    this.queue.push({
      kind: 'wake',
      time: Math.max(w, this.current),
      seq: 0,
      handle: h,
      gen: h.wakeGen,
    });
  }

  private renumberPaths(from: string, to: string): void {
    const moving = this.pathList.filter((p) => p.a === from || p.b === from);
    const rename = (a: string) => (a === from ? to : a);
    for (const p of moving) {
      if (this.directions.has(`${rename(p.a)}>${rename(p.b)}`)) {
        throw new NetsimError('DUPLICATE_PATH', `a path ${rename(p.a)} <-> ${rename(p.b)} exists`);
      }
    }
    for (const p of moving) {
      for (const dir of [p.forward, p.reverse]) {
        this.directions.delete(`${dir.from}>${dir.to}`);
        dir.from = rename(dir.from);
        dir.to = rename(dir.to);
      }
      for (const dir of [p.forward, p.reverse]) this.directions.set(`${dir.from}>${dir.to}`, dir);
    }
  }

  private checkLink(props: Partial<LinkProps>): void {
    const problem = validateLinkProps(props);
    if (problem) throw new NetsimError('INVALID_ARGUMENT', problem);
  }
}
