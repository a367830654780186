/**
 * A client of pathwire's oracle socket (apps/pathwired/ORACLE.md): requests as promises, events
 * as an async iterator, reconnection with backoff (hello, and subscribe again, after each one).
 *
 * @example
 * ```ts
 * import { OracleClient } from '@pathwire/oracle-client';
 * const oracle = await OracleClient.connect({ iface: 'wg0', role: 'writer' });
 * for await (const event of oracle.events()) {
 *   if (event.event === 'snapshot') console.log(event.peers.map((p) => [p.publicKey, p.active]));
 *   if (event.event === 'active-changed') console.log(`${event.peer}: ${event.from} -> ${event.to} (${event.cause})`);
 * }
 * ```
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type {
  OracleError,
  OracleEvent,
  PeerSnapshot,
  Role,
  SelectMode,
} from '@pathwire/strategy-userspace-oracle/protocol';
import { EventQueue } from './event-queue.js';

/** An event as received: numbered, with the count of events lost before it (slow reader), if any. */
export type ReceivedEvent = OracleEvent & { readonly seq: number; readonly dropped?: number };

export interface OracleClientOptions {
  /** Interface name: the socket is `/var/run/pathwire/IFACE.oracle` (or under `PATHWIRE_RUN_DIR`). */
  readonly iface?: string;
  /** Socket path (instead of `iface`). */
  readonly path?: string;
  /** `writer` may select, probe and set endpoints (one at a time per interface); default `watcher`. */
  readonly role?: Role;
  /** Reconnect when the connection drops (default true); `false` ends `events()` instead. */
  readonly reconnect?: boolean;
  /** Reply timeout, ms (default 5000). */
  readonly timeoutMs?: number;
}

/** A request the daemon refused: `code` and `field` as in ORACLE.md §8. */
export class OracleRequestError extends Error {
  override readonly name = 'OracleRequestError';
  readonly code: string;
  readonly field: string | undefined;
  constructor(error: OracleError) {
    super(
      error.field ? `${error.code} (${error.field}): ${error.message}` : `${error.code}: ${error.message}`,
    );
    this.code = error.code;
    this.field = error.field;
  }
}

interface Pending {
  resolve(reply: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export const socketPath = (iface: string): string =>
  join(process.env.PATHWIRE_RUN_DIR ?? '/var/run/pathwire', `${iface}.oracle`);

export class OracleClient {
  /** Protocol version agreed with the daemon. */
  version = 0;
  private socket: Socket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queues = new Set<EventQueue<ReceivedEvent>>();
  private subscription: { statsMs?: number } | undefined;
  private lastSeq: number | undefined;
  private closed = false;
  private buffer = '';

  private constructor(
    private readonly path: string,
    private readonly options: OracleClientOptions,
  ) {}

  /** Connects and says hello (rejects when the socket is missing or, for a writer, the seat is taken). */
  static async connect(options: OracleClientOptions): Promise<OracleClient> {
    const path = options.path ?? (options.iface ? socketPath(options.iface) : undefined);
    if (!path) throw new TypeError('OracleClient.connect: give iface or path');
    const client = new OracleClient(path, options);
    await client.open();
    return client;
  }

  /** Every event from now on (subscribing if not yet), starting with a snapshot; ends on `close()`. */
  events(options: { statsMs?: number } = {}): AsyncIterableIterator<ReceivedEvent> {
    const queue = new EventQueue<ReceivedEvent>(() => this.queues.delete(queue));
    this.queues.add(queue);
    if (!this.subscription) {
      this.subscription = options;
      this.request({ op: 'subscribe', ...options }).catch((error) => queue.fail(error as Error));
    }
    return queue;
  }

  /** Orders the peer onto `endpoint` for `leaseMs` (default 30 s, mode `prefer`). */
  select(
    peer: string,
    endpoint: string,
    options: { leaseMs?: number; mode?: SelectMode } = {},
  ): Promise<{ endpoint: string; mode: SelectMode; expiresInMs: number }> {
    return this.request({ op: 'select', peer, endpoint, ...options }) as never;
  }

  /** Ends the lease on one peer (or all): their fallback strategy decides again. */
  release(peer?: string): Promise<{ released: number }> {
    return this.request({ op: 'release', ...(peer ? { peer } : {}) }) as never;
  }

  /** Asks for a measurement via `endpoint`; the answer is a `probe-result` event. */
  probe(peer: string, endpoint: string): Promise<{ endpoint: string }> {
    return this.request({ op: 'probe', peer, endpoint }) as never;
  }

  /** Replaces the peer's configured endpoints (`ip:port`, `[ip6]:port`, `host:port`). */
  setEndpoints(peer: string, endpoints: readonly string[]): Promise<void> {
    return this.request({ op: 'set-endpoints', peer, endpoints }).then(() => undefined);
  }

  /** Sends one request; resolves with the reply, rejects with `OracleRequestError`. */
  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new Error(`not connected to ${this.path}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(
            `${this.path}: no reply to ${String(body.op)} within ${this.options.timeoutMs ?? 5000} ms`,
          ),
        );
      }, this.options.timeoutMs ?? 5000);
      this.pending.set(id, { resolve, reject, timer });
      socket.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  /** Closes the connection; `events()` iterators end; a writer's leases end. */
  close(): void {
    this.closed = true;
    this.socket?.destroy();
    for (const queue of this.queues) queue.end();
  }

  // ---------------------------------------------------------------- connection

  private async open(): Promise<void> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(this.path, () => resolve(s));
      s.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
            ? new Error(`no oracle socket at ${this.path}: is the interface up?`)
            : error,
        ),
      );
    });
    this.socket = socket;
    this.buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => {});
    socket.once('close', () => this.dropped(socket));
    const hello = await this.request({ op: 'hello', version: 1, role: this.options.role ?? 'watcher' });
    this.version = hello.version as number;
    if (this.subscription) {
      this.lastSeq = undefined;
      await this.request({ op: 'subscribe', ...this.subscription });
    }
  }

  private dropped(socket: Socket): void {
    if (socket !== this.socket) return;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`${this.path}: connection closed`));
      this.pending.delete(id);
    }
    if (this.closed) return;
    if (this.options.reconnect === false) {
      for (const queue of this.queues) queue.end();
      return;
    }
    let delay = 100;
    const retry = () => {
      if (this.closed) return;
      this.open().catch(() => {
        delay = Math.min(delay * 2, 5000);
        setTimeout(retry, delay).unref();
      });
    };
    setTimeout(retry, delay).unref();
  }

  /** Splits input into lines in one pass (a burst of thousands of events stays linear). */
  private receive(chunk: string): void {
    const lines = (this.buffer + chunk).split('\n');
    this.buffer = lines.pop()!;
    for (const line of lines) {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      if ('event' in message) this.deliver(message as ReceivedEvent);
      else if (typeof message.id === 'number') this.settle(message);
    }
  }

  private settle(reply: Record<string, unknown>): void {
    const pending = this.pending.get(reply.id as number);
    if (!pending) return;
    this.pending.delete(reply.id as number);
    clearTimeout(pending.timer);
    if (reply.ok === true) pending.resolve(reply);
    else pending.reject(new OracleRequestError(reply.error as OracleError));
  }

  /** Events in order; a gap in `seq` (events lost) asks for a fresh snapshot. */
  private deliver(event: ReceivedEvent): void {
    const gap = this.lastSeq !== undefined && event.seq !== this.lastSeq + 1;
    this.lastSeq = event.seq;
    for (const queue of this.queues) queue.push(event);
    if (gap && this.subscription)
      void this.request({ op: 'subscribe', ...this.subscription }).catch(() => {});
  }
}

/** The peers of a (possibly multi-line) snapshot, once its last line (`more: false`) arrived. */
export class SnapshotAssembler {
  private parts: PeerSnapshot[] = [];
  /** Feeds an event; returns every peer when a snapshot is complete. */
  add(event: ReceivedEvent): PeerSnapshot[] | undefined {
    if (event.event !== 'snapshot') return undefined;
    this.parts.push(...event.peers);
    if (event.more) return undefined;
    const peers = this.parts;
    this.parts = [];
    return peers;
  }
}
