/**
 * The oracle socket's state machine, I/O-free (ORACLE.md §4-§6): connections (one writer, any
 * number of watchers), leases on the caller's clock, per-connection event numbering and bounded
 * queues. The server feeds it lines, disconnects and clock ticks; it answers with effects (orders
 * for a peer's strategy, endpoint changes) and queued output lines. A request is validated
 * completely before anything changes: an error reply means nothing was applied.
 *
 * @example
 * ```ts
 * const hub = new OracleHub(world);
 * const c = hub.connect();
 * hub.receive(c, '{"id":1,"op":"hello","version":1,"role":"writer"}', now);
 * hub.take(c); // ['{"id":1,"ok":true,"version":1,"versions":[1],"role":"writer"}']
 * ```
 */
import type { OracleCommand } from '../commands.js';
import {
  type LeaseEndReason,
  MAX_LINE_BYTES,
  MAX_QUEUED_EVENTS,
  type OracleError,
  type OracleErrorCode,
  type OracleEvent,
  type OracleRequest,
  type PeerSnapshot,
  PROTOCOL_VERSIONS,
  type Role,
  type SelectMode,
} from './messages.js';
import { parseRequest, utf8Length } from './parse-request.js';

/** What the hub needs to know about the daemon's peers (injected: the hub does no I/O). */
export interface OracleWorld {
  /** A peer by base64 public key, or undefined. */
  peer(publicKey: string): OraclePeerView | undefined;
  /** Why an endpoint text cannot be set (`set-endpoints`), or undefined when it can. */
  checkEndpoint(text: string): string | undefined;
  /** Every peer now (for `snapshot` and `stats`), without the lease. */
  snapshot(): readonly Omit<PeerSnapshot, 'lease'>[];
}

export interface OraclePeerView {
  /** Whether the peer's strategy is `userspace-oracle` (takes orders). */
  readonly oracle: boolean;
  /** The key of the peer's endpoint `text` names (canonicalised), or undefined if it has none such. */
  endpoint(text: string): string | undefined;
}

export type HubEffect =
  | { readonly type: 'command'; readonly peer: string; readonly command: OracleCommand }
  | { readonly type: 'set-endpoints'; readonly peer: string; readonly endpoints: readonly string[] };

export interface Lease {
  readonly endpoint: string;
  readonly mode: SelectMode;
  readonly expiresAt: number;
}

export type ConnectionId = number;

interface Connection {
  readonly id: ConnectionId;
  version: number | undefined;
  role: Role;
  subscribed: boolean;
  statsMs: number | undefined;
  nextStatsAt: number | undefined;
  /** Number of the last event numbered for this connection. */
  seq: number;
  /** Lines waiting for the socket. */
  queue: string[];
  queuedEvents: number;
  /** Events dropped in total, and since the last one delivered. */
  dropped: number;
  droppedSinceLast: number;
}

class RequestError {
  constructor(
    readonly code: OracleErrorCode,
    readonly field: string | undefined,
    readonly message: string,
  ) {}
}

const NO_EFFECTS: readonly HubEffect[] = Object.freeze([]);

export class OracleHub {
  private readonly connections = new Map<ConnectionId, Connection>();
  private readonly leases = new Map<string, Lease>();
  private writer: ConnectionId | undefined;
  private nextId = 1;

  constructor(
    private readonly world: OracleWorld,
    private readonly maxQueuedEvents = MAX_QUEUED_EVENTS,
  ) {}

  connect(): ConnectionId {
    const id = this.nextId++;
    this.connections.set(id, {
      id,
      version: undefined,
      role: 'watcher',
      subscribed: false,
      statsMs: undefined,
      nextStatsAt: undefined,
      seq: 0,
      queue: [],
      queuedEvents: 0,
      dropped: 0,
      droppedSinceLast: 0,
    });
    return id;
  }

  /** The connection closed: a writer's leases end and the peers go back to their fallback. */
  disconnect(id: ConnectionId): readonly HubEffect[] {
    if (!this.connections.delete(id) || this.writer !== id) return NO_EFFECTS;
    this.writer = undefined;
    const effects = this.endLeases(undefined, 'writer-disconnected');
    this.publish({ event: 'writer', connected: false });
    return effects;
  }

  /** One request line (newline removed). Queues the reply; returns what the daemon must do. */
  receive(id: ConnectionId, line: string, now: number): readonly HubEffect[] {
    const connection = this.connections.get(id);
    if (!connection) return NO_EFFECTS;
    const parsed = parseRequest(line);
    if (!parsed.ok) {
      this.reply(connection, parsed.id, parsed.error);
      return NO_EFFECTS;
    }
    try {
      return this.apply(connection, parsed.request, now);
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      const body: OracleError =
        error.field === undefined
          ? { code: error.code, message: error.message }
          : { code: error.code, message: error.message, field: error.field };
      this.reply(connection, parsed.request.id, body);
      return NO_EFFECTS;
    }
  }

  /** A line the server refused before parsing (longer than MAX_LINE_BYTES). */
  refuseLongLine(id: ConnectionId): void {
    const connection = this.connections.get(id);
    if (connection)
      this.reply(connection, null, {
        code: 'LINE_TOO_LONG',
        message: `line longer than ${MAX_LINE_BYTES} bytes (discarded up to its newline)`,
      });
  }

  /** Time passed: leases that lapsed end; `stats` fall due. */
  tick(now: number): readonly HubEffect[] {
    const effects: HubEffect[] = [];
    for (const [peer, lease] of this.leases) {
      if (lease.expiresAt > now) continue;
      this.leases.delete(peer);
      this.publish({ event: 'lease-ended', peer, reason: 'expired' });
      if (lease.mode !== 'advise')
        effects.push({ type: 'command', peer, command: { op: 'release', reason: 'expired' } });
    }
    let stats: string[] | undefined;
    for (const connection of this.connections.values()) {
      if (connection.nextStatsAt === undefined || connection.nextStatsAt > now) continue;
      connection.nextStatsAt = now + connection.statsMs!;
      stats ??= this.world
        .snapshot()
        .map((peer) => JSON.stringify({ event: 'stats', peer: peer.publicKey, endpoints: peer.endpoints }));
      for (const body of stats) this.send(connection, body);
    }
    return effects;
  }

  /** When `tick` next has work, or undefined. */
  nextDeadline(): number | undefined {
    let at: number | undefined;
    for (const lease of this.leases.values())
      if (at === undefined || lease.expiresAt < at) at = lease.expiresAt;
    for (const connection of this.connections.values()) {
      const due = connection.nextStatsAt;
      if (due !== undefined && (at === undefined || due < at)) at = due;
    }
    return at;
  }

  /** A peer left the device: its lease ends. */
  peerRemoved(peer: string): void {
    if (!this.leases.delete(peer)) return;
    this.publish({ event: 'lease-ended', peer, reason: 'peer-removed' });
  }

  /** The strategy ended a lease on its own clock: forget it (the event is published here). */
  leaseEndedByStrategy(peer: string, reason: LeaseEndReason): void {
    if (!this.leases.delete(peer)) return;
    this.publish({ event: 'lease-ended', peer, reason });
  }

  /** Sends an event to every subscribed connection (numbered per connection; dropped past the queue bound). */
  publish(event: OracleEvent): void {
    let body: string | undefined;
    for (const connection of this.connections.values()) {
      if (!connection.subscribed) continue;
      body ??= JSON.stringify(event);
      this.send(connection, body);
    }
  }

  /** Takes the lines waiting for a connection (the server writes them). */
  take(id: ConnectionId): string[] {
    const connection = this.connections.get(id);
    if (!connection || connection.queue.length === 0) return [];
    const lines = connection.queue;
    connection.queue = [];
    connection.queuedEvents = 0;
    return lines;
  }

  /** Lines waiting for a connection. */
  queued(id: ConnectionId): number {
    return this.connections.get(id)?.queue.length ?? 0;
  }

  /** Events dropped for a connection so far (slow reader). */
  dropped(id: ConnectionId): number {
    return this.connections.get(id)?.dropped ?? 0;
  }

  /** Every lease in force, by peer. */
  lease(peer: string): Lease | undefined {
    return this.leases.get(peer);
  }

  get hasWriter(): boolean {
    return this.writer !== undefined;
  }

  // ---------------------------------------------------------------- requests

  private apply(connection: Connection, request: OracleRequest, now: number): readonly HubEffect[] {
    if (request.op === 'hello') return this.hello(connection, request);
    if (connection.version === undefined)
      throw new RequestError(
        'HELLO_REQUIRED',
        'op',
        `send hello first (versions: ${PROTOCOL_VERSIONS.join(', ')})`,
      );
    switch (request.op) {
      case 'subscribe': {
        connection.statsMs = request.statsMs;
        connection.nextStatsAt = request.statsMs === undefined ? undefined : now + request.statsMs;
        this.reply(connection, request.id, undefined, { seq: connection.seq + 1 });
        connection.subscribed = true;
        this.sendSnapshot(connection, now);
        return NO_EFFECTS;
      }
      case 'unsubscribe':
        connection.subscribed = false;
        connection.statsMs = connection.nextStatsAt = undefined;
        this.reply(connection, request.id);
        return NO_EFFECTS;
      case 'select': {
        this.mustWrite(connection);
        const endpoint = this.oracleEndpoint(request.peer, request.endpoint);
        const previous = this.leases.get(request.peer);
        const expiresAt = now + request.leaseMs;
        this.leases.set(request.peer, { endpoint, mode: request.mode, expiresAt });
        this.reply(connection, request.id, undefined, {
          endpoint,
          mode: request.mode,
          expiresInMs: request.leaseMs,
        });
        if (request.mode === 'advise') {
          this.publish({ event: 'advice', peer: request.peer, endpoint });
          // An advice replaces an order: the fallback owns the peer again.
          return previous && previous.mode !== 'advise'
            ? [{ type: 'command', peer: request.peer, command: { op: 'release', reason: 'replaced' } }]
            : NO_EFFECTS;
        }
        return [
          {
            type: 'command',
            peer: request.peer,
            command: { op: 'select', endpoint, mode: request.mode, until: expiresAt },
          },
        ];
      }
      case 'release': {
        this.mustWrite(connection);
        if (request.peer !== undefined && !this.world.peer(request.peer))
          throw new RequestError('UNKNOWN_PEER', 'peer', `no peer ${request.peer}`);
        const effects = this.endLeases(request.peer, 'released');
        this.reply(connection, request.id, undefined, { released: effects.length });
        return effects;
      }
      case 'probe': {
        this.mustWrite(connection);
        const endpoint = this.oracleEndpoint(request.peer, request.endpoint);
        this.reply(connection, request.id, undefined, { endpoint });
        return [{ type: 'command', peer: request.peer, command: { op: 'probe', endpoint } }];
      }
      case 'set-endpoints': {
        this.mustWrite(connection);
        if (!this.world.peer(request.peer))
          throw new RequestError('UNKNOWN_PEER', 'peer', `no peer ${request.peer}`);
        request.endpoints.forEach((text, i) => {
          const problem = this.world.checkEndpoint(text);
          if (problem !== undefined) throw new RequestError('BAD_ENDPOINT', `endpoints[${i}]`, problem);
        });
        this.reply(connection, request.id);
        return [{ type: 'set-endpoints', peer: request.peer, endpoints: request.endpoints }];
      }
    }
  }

  private hello(
    connection: Connection,
    request: Extract<OracleRequest, { op: 'hello' }>,
  ): readonly HubEffect[] {
    if (connection.version !== undefined)
      throw new RequestError(
        'ALREADY_GREETED',
        'op',
        `hello was already answered (version ${connection.version})`,
      );
    const version = Math.max(...PROTOCOL_VERSIONS.filter((v) => v <= request.version), 0);
    if (version === 0)
      throw new RequestError(
        'UNSUPPORTED_VERSION',
        'version',
        `version ${request.version} is not spoken here (versions: ${PROTOCOL_VERSIONS.join(', ')})`,
      );
    if (request.role === 'writer' && this.writer !== undefined)
      throw new RequestError('WRITER_TAKEN', 'role', 'another connection is the writer (one at a time)');
    connection.version = version;
    connection.role = request.role;
    this.reply(connection, request.id, undefined, {
      version,
      versions: PROTOCOL_VERSIONS,
      role: request.role,
    });
    if (request.role === 'writer') {
      this.writer = connection.id;
      this.publish({ event: 'writer', connected: true });
    }
    return NO_EFFECTS;
  }

  private mustWrite(connection: Connection): void {
    if (this.writer !== connection.id)
      throw new RequestError('NOT_WRITER', 'op', 'only the writer (hello with role "writer") may do this');
  }

  /** The peer must exist, take orders, and have this endpoint; returns its canonical key. */
  private oracleEndpoint(peer: string, text: string): string {
    const view = this.world.peer(peer);
    if (!view) throw new RequestError('UNKNOWN_PEER', 'peer', `no peer ${peer}`);
    if (!view.oracle)
      throw new RequestError(
        'NOT_ORACLE_PEER',
        'peer',
        `peer ${peer} does not use Strategy = userspace-oracle`,
      );
    const key = view.endpoint(text);
    if (key === undefined)
      throw new RequestError(
        'UNKNOWN_ENDPOINT',
        'endpoint',
        `peer ${peer} has no endpoint ${JSON.stringify(text)}`,
      );
    return key;
  }

  private endLeases(peer: string | undefined, reason: LeaseEndReason): HubEffect[] {
    const effects: HubEffect[] = [];
    for (const [key, lease] of this.leases) {
      if (peer !== undefined && key !== peer) continue;
      this.leases.delete(key);
      this.publish({ event: 'lease-ended', peer: key, reason });
      if (lease.mode !== 'advise')
        effects.push({ type: 'command', peer: key, command: { op: 'release', reason } });
    }
    return effects;
  }

  // ---------------------------------------------------------------- output

  private reply(
    connection: Connection,
    id: number | null,
    error?: OracleError,
    fields?: Record<string, unknown>,
  ): void {
    connection.queue.push(JSON.stringify(error ? { id, ok: false, error } : { id, ok: true, ...fields }));
  }

  /** Numbers an event for this connection (`{"seq":N,` + the body), or drops and counts it. */
  private send(connection: Connection, body: string): void {
    connection.seq++;
    if (connection.queuedEvents >= this.maxQueuedEvents) {
      connection.dropped++;
      connection.droppedSinceLast++;
      return;
    }
    const dropped = connection.droppedSinceLast ? `"dropped":${connection.droppedSinceLast},` : '';
    connection.droppedSinceLast = 0;
    connection.queue.push(`{"seq":${connection.seq},${dropped}${body.slice(1)}`);
    connection.queuedEvents++;
  }

  /** The snapshot, split into lines of at most MAX_LINE_BYTES (`more: true` on all but the last). */
  private sendSnapshot(connection: Connection, now: number): void {
    const peers = this.world.snapshot().map((peer) => {
      const lease = this.leases.get(peer.publicKey);
      return {
        ...peer,
        lease: lease
          ? { endpoint: lease.endpoint, mode: lease.mode, remainingMs: Math.max(0, lease.expiresAt - now) }
          : null,
      };
    });
    const budget = MAX_LINE_BYTES - 200;
    let chunk: string[] = [];
    let size = 0;
    const flush = (more: boolean) => {
      this.send(connection, `{"event":"snapshot","peers":[${chunk.join(',')}],"more":${more}}`);
      chunk = [];
      size = 0;
    };
    for (const peer of peers) {
      const text = JSON.stringify(peer);
      const bytes = utf8Length(text) + 1;
      if (size + bytes > budget && chunk.length > 0) flush(true);
      chunk.push(text);
      size += bytes;
    }
    flush(false);
  }
}
