/**
 * The UAPI socket (https://www.wireguard.com/xplatform/, "Interface"): a stream UNIX socket at
 * `/var/run/wireguard/IFACE.sock`, created under umask 077 (mode 0600, root only) as
 * wireguard-go's `ipc.UAPIOpen` does, refusing an interface another process still serves and
 * replacing a stale socket file. Each connection carries any number of `get=1\n\n` and
 * `set=1\n…\n\n` requests, each answered and ended by `errno=N\n\n`, as in wireguard-go's
 * `IpcHandle`; an unknown operation closes the connection. Requests are bounded in size and a
 * bad one is answered with an errno, never thrown.
 */
import { chmod, lstat, mkdir, stat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Device } from '@pathwire/engine';
import { ERRNO, formatErrno, UapiError } from './uapi-errors.js';
import { applySet, formatGet, type UapiHooks } from './uapi-protocol.js';

/** Interface names as `wg-quick` accepts them (IFNAMSIZ - 1 characters). */
const INTERFACE_NAME = /^[a-zA-Z0-9_=+.-]{1,15}$/;
const OPERATION_MAX = 64;

export interface UapiRequestEvent {
  readonly op: 'get' | 'set';
  readonly errno: number;
  readonly error: UapiError | undefined;
}

export interface UapiServerOptions {
  readonly iface: string;
  readonly device: Device;
  /** The engine clock, for applying settings and the ages in the `get` reply. */
  readonly now: () => number;
  readonly hooks?: UapiHooks;
  /** Default `/var/run/wireguard`, where `wg` looks. */
  readonly directory?: string;
  /** Largest `set` body accepted, in bytes (default 4 MiB); larger is answered EMSGSIZE. */
  readonly maxRequestBytes?: number;
  /** A connection idle this long is closed (default 30 s). */
  readonly idleTimeoutMs?: number;
  /** Called after every answered request (for logging). */
  readonly onRequest?: (event: UapiRequestEvent) => void;
}

export interface UapiServer {
  /** The socket file's path. */
  readonly path: string;
  /** Stops serving, ends open connections and removes the socket file. */
  close(): Promise<void>;
}

/** Starts serving `${directory}/${iface}.sock`. Throws `UapiError` when the interface is taken. */
export async function serveUapi(options: UapiServerOptions): Promise<UapiServer> {
  const directory = options.directory ?? '/var/run/wireguard';
  if (!INTERFACE_NAME.test(options.iface)) {
    throw new UapiError('BAD_INTERFACE_NAME', `not an interface name: ${JSON.stringify(options.iface)}`);
  }
  const path = join(directory, `${options.iface}.sock`);
  await mkdir(directory, { recursive: true, mode: 0o755 });
  await claimPath(path, options.iface);

  const connections = new Set<Socket>();
  const serial = createSerializer();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    handleConnection(socket, options, serial);
  });
  server.maxConnections = 64;
  await listenPrivately(server, path, options.iface);
  await chmod(path, 0o600);
  const { ino } = await stat(path);

  let closing: Promise<void> | undefined;
  return {
    path,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of connections) socket.destroy();
        await closed;
        // libuv unlinks the path on close; make sure, without removing a successor's socket.
        const now = await stat(path).catch(() => undefined);
        if (now?.ino === ino) await unlink(path).catch(() => undefined);
      })();
      return closing;
    },
  };
}

/** (Shared with the oracle socket.) Refuses a live socket, removes a stale one (as wireguard-go: a failed connect means stale). */
export async function claimPath(path: string, iface: string): Promise<void> {
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!existing) return;
  if (!existing.isSocket()) throw new UapiError('PATH_NOT_SOCKET', `${path} exists and is not a socket`);
  if (await isLive(path))
    throw new UapiError('INTERFACE_IN_USE', `interface already in use: ${iface} (${path})`);
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const done = (live: boolean) => {
      probe.destroy();
      resolve(live);
    };
    probe.setTimeout(2000, () => done(true)); // something holds it, even if slow to accept
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

/** Binds under umask 077 (or `umask`) so the socket is never, even briefly, reachable by others. */
export function listenPrivately(server: Server, path: string, iface: string, umask = 0o077): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UapiError('INTERFACE_IN_USE', `interface already in use: ${iface} (${path})`)
          : error,
      );
    };
    server.once('error', onError);
    let previous: number | undefined;
    try {
      previous = process.umask(umask);
    } catch {
      previous = undefined; // worker threads cannot change the umask: chmod follows at once
    }
    try {
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
}

/** Runs operations one at a time across every connection (a `set` may await a socket hook). */
type Serializer = <T>(operation: () => Promise<T> | T) => Promise<T>;

function createSerializer(): Serializer {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(operation: () => Promise<T> | T): Promise<T> => {
    const result = tail.then(operation);
    tail = result.catch(() => undefined);
    return result;
  };
}

/** One connection: a loop of requests, each answered in order. */
function handleConnection(socket: Socket, options: UapiServerOptions, serial: Serializer): void {
  const maxBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  let buffer = '';
  /** Lines of the `set` body read so far, or undefined while waiting for an operation. */
  let body: string[] | undefined;
  let bodyBytes = 0;
  /** A request is being answered: later input waits in `buffer`. */
  let busy = false;
  let ended = false;

  socket.setEncoding('utf8');
  socket.setTimeout(options.idleTimeoutMs ?? 30_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());

  const answer = (text: string) => {
    if (!socket.destroyed && socket.writable) socket.write(text);
  };
  const report = (op: 'get' | 'set', errno: number, error: UapiError | undefined) => {
    try {
      options.onRequest?.({ op, errno, error });
    } catch {
      // a logging hook must not take the server down
    }
  };

  const runSet = async (lines: readonly string[]) => {
    const result = await serial(() =>
      applySet(options.device, lines, options.now(), options.hooks).catch((error: unknown) => ({
        errno: ERRNO.EIO,
        error: new UapiError('INTERNAL', String(error)),
      })),
    );
    answer(formatErrno(result.errno));
    report('set', result.errno, result.error);
  };

  const runGet = async () => {
    const reply = await serial(() => {
      try {
        const peerLines = options.hooks?.peerLines;
        return formatGet(
          options.device,
          options.now(),
          { listenPort: options.hooks?.listenPort?.() ?? 0, fwmark: options.hooks?.fwmark?.() ?? 0 },
          peerLines ? (peer) => peerLines(peer) : undefined,
        );
      } catch (error) {
        return new UapiError('INTERNAL', String(error));
      }
    });
    if (reply instanceof UapiError) {
      answer(formatErrno(reply.errno));
      report('get', reply.errno, reply);
    } else {
      answer(reply);
      report('get', 0, undefined);
    }
  };

  const refuse = (op: 'get' | 'set', error: UapiError) => {
    answer(formatErrno(error.errno));
    report(op, error.errno, error);
    socket.end();
  };

  /** Starts the next complete request in `buffer`, if any; resumes itself when it is answered. */
  const drain = (): void => {
    while (!busy && !socket.destroyed && socket.writable) {
      const request = nextRequest();
      if (request === undefined) break;
      busy = true;
      request.then(
        () => {
          busy = false;
          drain();
        },
        () => socket.destroy(),
      );
    }
    if (!busy && ended) finishStream();
  };

  /** Parses what `buffer` holds; returns the answer in progress when a request is complete. */
  const nextRequest = (): Promise<void> | undefined => {
    for (;;) {
      if (body === undefined) {
        const newline = buffer.indexOf('\n');
        if (newline === -1) {
          if (buffer.length > OPERATION_MAX) socket.destroy();
          return undefined;
        }
        const op = buffer.slice(0, newline);
        if (op === 'get=1') {
          if (buffer.length < newline + 2) return undefined; // wait for the blank line
          const next = buffer[newline + 1];
          buffer = buffer.slice(newline + 2);
          if (next !== '\n') {
            refuse('get', new UapiError('INVALID_VALUE', 'trailing character in UAPI get'));
            return undefined;
          }
          return runGet();
        }
        if (op === 'set=1') {
          buffer = buffer.slice(newline + 1);
          body = [];
          bodyBytes = 0;
          continue;
        }
        socket.end(); // unknown operation: wireguard-go closes the connection
        return undefined;
      }
      const newline = buffer.indexOf('\n');
      if (newline === -1) {
        if (bodyBytes + buffer.length > maxBytes) tooLarge();
        return undefined;
      }
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      bodyBytes += line.length + 1;
      if (bodyBytes > maxBytes) {
        tooLarge();
        return undefined;
      }
      if (line !== '') {
        body.push(line);
        continue;
      }
      const lines = body;
      body = undefined;
      return runSet(lines);
    }
  };

  const tooLarge = () => {
    body = undefined;
    buffer = '';
    refuse('set', new UapiError('REQUEST_TOO_LARGE', `set request over ${maxBytes} bytes`));
  };

  /** The peer closed its side: a set body cut short is applied, as wireguard-go does at EOF. */
  const finishStream = () => {
    if (body === undefined || socket.destroyed) {
      socket.end();
      return;
    }
    if (buffer !== '') body.push(buffer);
    const lines = body;
    body = undefined;
    buffer = '';
    busy = true;
    runSet(lines).then(
      () => socket.end(),
      () => socket.destroy(),
    );
  };

  socket.on('data', (chunk: string) => {
    buffer += chunk;
    drain();
  });
  socket.on('end', () => {
    ended = true;
    drain();
  });
}
