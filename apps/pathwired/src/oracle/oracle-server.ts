/**
 * The oracle socket (ORACLE.md): `/var/run/pathwire/IFACE.oracle`, a stream UNIX socket bound
 * under umask 077 (mode 0600 before anyone can connect), removed on close. It carries the
 * JSON Lines protocol of `@pathwire/strategy-userspace-oracle/protocol`; this file only does the
 * I/O: lines in (at most 64 KiB, a longer one is refused and skipped to its newline), output
 * under backpressure (a reader that does not read loses events, counted, never buffers without
 * bound), clock ticks for leases and stats, and the daemon's events out.
 */
import { chmod, stat, unlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Device, DeviceEvent, Peer } from '@pathwire/engine';
import { endpointKey } from '@pathwire/resolver/parse';
import { isUserspaceOracle, type OracleNotice } from '@pathwire/strategy-userspace-oracle';
import {
  type ActiveCause,
  type EndpointSnapshot,
  type HubEffect,
  MAX_LINE_BYTES,
  OracleHub,
} from '@pathwire/strategy-userspace-oracle/protocol';
import { claimPath, listenPrivately } from '../uapi/uapi-server.js';
import { deviceWorld, endpointRows } from './oracle-world.js';

export interface OracleServerOptions {
  readonly iface: string;
  readonly device: Device;
  /** The engine clock (ms). */
  readonly now: () => number;
  /** Default /var/run/pathwire. */
  readonly directory: string;
  /** Replaces a peer's configured endpoints (`set-endpoints`; hostnames resolved as in the config). */
  readonly setEndpoints: (peer: Peer, endpoints: readonly string[]) => void;
  /** Something changed in the device (its next wake-up may have moved). */
  readonly changed: () => void;
  /** Connections at most; more are closed at once. */
  readonly maxConnections?: number;
  /** A connection that sends no `hello` within this is closed (ms). */
  readonly helloTimeoutMs?: number;
  /** How often endpoint states and roaming are looked at (ms). */
  readonly pollMs?: number;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface OracleServer {
  readonly path: string;
  /** Tells watchers what the device did. */
  deviceEvent(event: DeviceEvent): void;
  /** Connections open now. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Output waiting in the socket beyond this: stop taking lines (events queue in the hub, bounded). */
const HIGH_WATER = 256 * 1024;
/** Replies waiting beyond this: stop reading requests from that connection. */
const MAX_PENDING_LINES = 256;

export const oracleSocketPath = (directory: string, iface: string): string =>
  join(directory, `${iface}.oracle`);

export async function serveOracle(options: OracleServerOptions): Promise<OracleServer> {
  const { device, now } = options;
  const path = oracleSocketPath(options.directory, options.iface);
  await claimPath(path, options.iface);
  const hub = new OracleHub(deviceWorld(device, now));
  const sockets = new Map<number, Socket>();
  /** Who is about to activate what, from strategy notices (the engine's endpoint-changed follows). */
  const causes = new Map<string, ActiveCause>();
  /** Endpoint states and keys last seen, per peer, for `endpoint-state` and `roam`. */
  const seen = new Map<string, Map<string, EndpointSnapshot['state']>>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = (id: number) => {
    const socket = sockets.get(id);
    if (!socket || socket.destroyed) return;
    if (socket.writableLength > HIGH_WATER) return; // 'drain' calls again
    const lines = hub.take(id);
    if (lines.length) socket.write(`${lines.join('\n')}\n`);
    if (socket.isPaused() && hub.queued(id) < MAX_PENDING_LINES && socket.writableLength <= HIGH_WATER)
      socket.resume();
  };
  let flushQueued = false;
  const flushAll = () => {
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(() => {
      flushQueued = false;
      for (const id of sockets.keys()) flush(id);
    });
  };

  const apply = (effects: readonly HubEffect[]) => {
    if (effects.length === 0) return;
    const at = now();
    for (const effect of effects) {
      const peer = device.peer(effect.peer);
      if (!peer) continue;
      if (effect.type === 'command') device.command(peer, effect.command, at);
      else options.setEndpoints(peer, effect.endpoints);
    }
    options.changed();
    flushAll();
  };

  const schedule = () => {
    clearTimeout(timer);
    if (closed) return;
    const next = Math.min(hub.nextDeadline() ?? Number.POSITIVE_INFINITY, now() + (options.pollMs ?? 500));
    timer = setTimeout(
      () => {
        apply(hub.tick(now()));
        poll();
        flushAll();
        schedule();
      },
      Math.max(0, next - now()),
    );
    timer.unref();
  };

  /** Attaches to oracle peers' strategies and reports endpoint state changes and roaming. */
  const poll = () => {
    const at = now();
    const present = new Set<string>();
    for (const peer of device.peers()) {
      const key = peer.publicKeyText;
      present.add(key);
      if (isUserspaceOracle(peer.strategy) && !peer.strategy.onNotice)
        peer.strategy.onNotice = (notice) => onNotice(key, notice);
      let states = seen.get(key);
      const first = !states;
      states ??= new Map();
      seen.set(key, states);
      for (const row of endpointRows(peer, at)) {
        const previous = states.get(row.endpoint);
        states.set(row.endpoint, row.state);
        if (first) continue;
        if (previous === undefined && row.origin === 'learned')
          hub.publish({ event: 'roam', peer: key, endpoint: row.endpoint });
        else if (previous !== undefined && previous !== row.state)
          hub.publish({
            event: 'endpoint-state',
            peer: key,
            endpoint: row.endpoint,
            state: row.state,
            previous,
          });
      }
    }
    for (const key of seen.keys()) if (!present.has(key)) seen.delete(key);
  };

  const onNotice = (peer: string, notice: OracleNotice) => {
    switch (notice.type) {
      case 'activating':
        causes.set(peer, notice.cause);
        return;
      case 'lease-ended':
        hub.leaseEndedByStrategy(peer, notice.reason);
        break;
      case 'probe-result':
        hub.publish({
          event: 'probe-result',
          peer,
          endpoint: notice.endpoint,
          via: notice.via,
          rttMs: notice.rttMs,
          ...(notice.error ? { error: notice.error } : {}),
        });
        break;
    }
    flushAll();
  };

  const server = createServer({ allowHalfOpen: false }, (socket) => {
    const id = hub.connect();
    sockets.set(id, socket);
    let chunks: Buffer[] = [];
    let buffered = 0;
    /** A line over the limit is being skipped up to its newline. */
    let skipping = false;
    socket.setNoDelay(true);
    const greeting = setTimeout(() => {
      if (!greeted) socket.destroy(); // opened and abandoned
    }, options.helloTimeoutMs ?? 10_000);
    let greeted = false;
    const line = (bytes: Buffer) => {
      const text = bytes.toString('utf8').replace(/\r$/, '');
      if (text.trim() === '') return;
      greeted = true;
      apply(hub.receive(id, text, now()));
      schedule();
    };
    socket.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, newline);
        start = newline + 1;
        if (skipping) {
          skipping = false;
          continue;
        }
        if (buffered + piece.length > MAX_LINE_BYTES) {
          hub.refuseLongLine(id);
        } else if (buffered) {
          chunks.push(piece);
          line(Buffer.concat(chunks));
        } else line(piece);
        chunks = [];
        buffered = 0;
      }
      const rest = chunk.subarray(start);
      if (!skipping && rest.length) {
        if (buffered + rest.length > MAX_LINE_BYTES) {
          hub.refuseLongLine(id);
          skipping = true;
          chunks = [];
          buffered = 0;
        } else {
          chunks.push(Buffer.from(rest));
          buffered += rest.length;
        }
      }
      if (hub.queued(id) >= MAX_PENDING_LINES) socket.pause();
      flush(id);
    });
    socket.on('drain', () => flush(id));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      clearTimeout(greeting);
      sockets.delete(id);
      apply(hub.disconnect(id));
      schedule();
    });
  });
  server.maxConnections = options.maxConnections ?? 256;
  // umask 0177: the socket is created 0600 by bind(2), before listen(2); chmod for worker
  // threads, which cannot change the umask (the run directory is 0700 in any case).
  await listenPrivately(server, path, options.iface, 0o177);
  await chmod(path, 0o600);
  const { ino } = await stat(path);
  poll();
  schedule();

  let closing: Promise<void> | undefined;
  return {
    path,
    get connections() {
      return sockets.size;
    },
    deviceEvent(event) {
      if (closed) return;
      switch (event.type) {
        case 'endpoint-changed': {
          const cause = causes.get(event.peer);
          causes.delete(event.peer);
          hub.publish({
            event: 'active-changed',
            peer: event.peer,
            from: event.from ? endpointKey(event.from) : null,
            to: endpointKey(event.to),
            cause: cause ?? 'engine',
          });
          break;
        }
        case 'handshake-complete':
          hub.publish({
            event: 'handshake',
            peer: event.peer,
            endpoint: endpointKey(event.endpoint),
            role: event.role,
          });
          break;
        case 'peer-removed':
          hub.peerRemoved(event.peer);
          break;
        default:
          return;
      }
      flushAll();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        for (const peer of device.peers())
          if (isUserspaceOracle(peer.strategy)) peer.strategy.onNotice = undefined;
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets.values()) socket.destroy();
        await done;
        const current = await stat(path).catch(() => undefined);
        if (current?.ino === ino) await unlink(path).catch(() => undefined);
      })();
      return closing;
    },
  };
}
