/**
 * One direction of a path between two addresses: one-way delay, jitter, loss, reordering,
 * optional bandwidth with a bounded queue, and a blackhole switch. Each direction draws
 * from its own seeded stream and keeps its own counters.
 */
import type { Random } from '@pathwire/random';

export interface LinkProps {
  /** One-way delay, ms. */
  delay: number;
  /** Each packet's delay is `delay + u`, `u` uniform in [-jitter, +jitter], floored at 0. */
  jitter: number;
  /** Probability in [0, 1] that a packet is silently lost. */
  loss: number;
  /** Probability in [0, 1] that a packet is held back an extra `reorderDelay` ms. */
  reorder: number;
  reorderDelay: number;
  /** Bits per second (payload plus 28/48 bytes of IPv4/IPv6 + UDP header); 0 = unlimited. */
  bandwidth: number;
  /** With a bandwidth, a packet that would wait longer than this many ms is tail-dropped. */
  queueLimit: number;
  /** Silently drop everything. */
  blackhole: boolean;
}

export const DEFAULT_LINK: Readonly<LinkProps> = Object.freeze({
  delay: 10,
  jitter: 0,
  loss: 0,
  reorder: 0,
  reorderDelay: 5,
  bandwidth: 0,
  queueLimit: 1000,
  blackhole: false,
});

export type DropReason =
  /** Random loss on the path. */
  | 'loss'
  | 'blackhole'
  /** Bandwidth queue overflow. */
  | 'queue'
  /** On arrival, no host owns the destination address or nothing is bound to the port. */
  | 'unbound'
  /** On arrival, the receiving host has the family disabled or the interface down. */
  | 'unreachable';

export interface LinkCounters {
  sent: number;
  delivered: number;
  bytesSent: number;
  bytesDelivered: number;
  dropped: Record<DropReason, number>;
}

export function emptyCounters(): LinkCounters {
  return {
    sent: 0,
    delivered: 0,
    bytesSent: 0,
    bytesDelivered: 0,
    dropped: { loss: 0, blackhole: 0, queue: 0, unbound: 0, unreachable: 0 },
  };
}

export function validateLinkProps(props: Partial<LinkProps>): string | undefined {
  for (const key of ['delay', 'jitter', 'reorderDelay', 'bandwidth', 'queueLimit'] as const) {
    const v = props[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) return `${key} must be a finite number >= 0`;
  }
  for (const key of ['loss', 'reorder'] as const) {
    const v = props[key];
    if (v !== undefined && !(v >= 0 && v <= 1)) return `${key} must be in [0, 1]`;
  }
  return undefined;
}

export class PathDirection {
  readonly props: LinkProps;
  readonly counters: LinkCounters = emptyCounters();
  private busyUntil = 0;

  constructor(
    public from: string,
    public to: string,
    props: Readonly<LinkProps>,
    private readonly rng: Random,
    private readonly validate: (p: Partial<LinkProps>) => void,
  ) {
    this.props = { ...props };
  }

  /** Change some properties from now on (packets in flight keep their arrival time). */
  set(props: Partial<LinkProps>): this {
    this.validate(props);
    Object.assign(this.props, props);
    return this;
  }

  /** Counts the packet as sent; returns its arrival time, or -1 if dropped (and counted). */
  transmit(now: number, wireBytes: number, payloadBytes: number): number {
    const p = this.props;
    const c = this.counters;
    c.sent++;
    c.bytesSent += payloadBytes;
    if (p.blackhole) {
      c.dropped.blackhole++;
      return -1;
    }
    if (p.loss > 0 && this.rng.next() < p.loss) {
      c.dropped.loss++;
      return -1;
    }
    let departure = now;
    if (p.bandwidth > 0) {
      const start = Math.max(this.busyUntil, now);
      if (start - now > p.queueLimit) {
        c.dropped.queue++;
        return -1;
      }
      departure = start + (wireBytes * 8000) / p.bandwidth;
      this.busyUntil = departure;
    }
    let delay = p.delay;
    if (p.jitter > 0) delay += (this.rng.next() * 2 - 1) * p.jitter;
    if (p.reorder > 0 && this.rng.next() < p.reorder) delay += p.reorderDelay;
    return departure + Math.max(delay, 0);
  }

  drop(reason: DropReason): void {
    this.counters.dropped[reason]++;
  }

  delivered(payloadBytes: number): void {
    this.counters.delivered++;
    this.counters.bytesDelivered += payloadBytes;
  }
}

export type PathSide = 'both' | 'forward' | 'reverse';

/** A bidirectional path between addresses `a` and `b`: `forward` is a to b. */
export class Path {
  constructor(
    readonly forward: PathDirection,
    readonly reverse: PathDirection,
  ) {}

  get a(): string {
    return this.forward.from;
  }

  get b(): string {
    return this.forward.to;
  }

  /** Change properties of one or both directions. */
  set(props: Partial<LinkProps>, side: PathSide = 'both'): this {
    if (side !== 'reverse') this.forward.set(props);
    if (side !== 'forward') this.reverse.set(props);
    return this;
  }

  /** Silently drop everything (in one or both directions) while `on`. */
  blackhole(on: boolean, side: PathSide = 'both'): this {
    return this.set({ blackhole: on }, side);
  }
}
