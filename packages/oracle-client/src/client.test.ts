/**
 * The client against a socket server driven by the protocol's own state machine (the daemon's
 * server is tested with this client in apps/pathwired).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OracleHub, type OracleWorld } from '@pathwire/strategy-userspace-oracle/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OracleClient, OracleRequestError, type ReceivedEvent, SnapshotAssembler } from './index.js';

const PEER = `${'A'.repeat(42)}E=`;
const world: OracleWorld = {
  peer: (key) =>
    key === PEER ? { oracle: true, endpoint: (t) => (t === '192.0.2.1:51820' ? t : undefined) } : undefined,
  checkEndpoint: () => undefined,
  snapshot: () => [
    {
      publicKey: PEER,
      strategy: 'userspace-oracle',
      active: '192.0.2.1:51820',
      lastHandshakeMs: null,
      endpoints: [],
    },
  ],
};

/** A minimal line server around an OracleHub. */
function serve(path: string, hub: OracleHub): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const id = hub.connect();
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
        hub.receive(id, buffer.slice(0, i), Date.now());
        buffer = buffer.slice(i + 1);
      }
      const lines = hub.take(id);
      if (lines.length) socket.write(`${lines.join('\n')}\n`);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      hub.disconnect(id);
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, sockets })));
}

async function next(iterator: AsyncIterator<ReceivedEvent>, name: string): Promise<ReceivedEvent> {
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) throw new Error(`ended before ${name}`);
    if (value.event === name) return value;
  }
}

describe('OracleClient', () => {
  let directory: string;
  let path: string;
  let hub: OracleHub;
  let running: { server: Server; sockets: Set<Socket> };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'oracle-client-'));
    path = join(directory, 'or0.oracle');
    hub = new OracleHub(world);
    running = await serve(path, hub);
  });
  afterEach(async () => {
    for (const socket of running.sockets) socket.destroy();
    await new Promise((resolve) => running.server.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  it('says hello, selects, and turns refusals into OracleRequestError with the code and field', async () => {
    const client = await OracleClient.connect({ path, role: 'writer' });
    expect(client.version).toBe(1);
    await expect(
      client.select(PEER, '192.0.2.1:51820', { leaseMs: 1000, mode: 'pin' }),
    ).resolves.toMatchObject({
      endpoint: '192.0.2.1:51820',
      expiresInMs: 1000,
    });
    const error = await client.select(PEER, '192.0.2.99:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OracleRequestError);
    expect(error).toMatchObject({ code: 'UNKNOWN_ENDPOINT', field: 'endpoint' });
    client.close();
  });

  it('a second writer is refused at connect', async () => {
    const first = await OracleClient.connect({ path, role: 'writer' });
    await expect(OracleClient.connect({ path, role: 'writer', reconnect: false })).rejects.toMatchObject({
      code: 'WRITER_TAKEN',
    });
    first.close();
  });

  it('gives events as an async iterator, snapshot first', async () => {
    const client = await OracleClient.connect({ path });
    const events = client.events();
    const snapshot = await next(events, 'snapshot');
    expect(new SnapshotAssembler().add(snapshot)).toEqual([expect.objectContaining({ publicKey: PEER })]);
    hub.publish({ event: 'roam', peer: PEER, endpoint: '198.51.100.1:1' });
    await client.request({ op: 'unsubscribe' }); // this test server writes when it reads
    expect(await next(events, 'roam')).toMatchObject({ seq: 2, peer: PEER, endpoint: '198.51.100.1:1' });
    client.close();
    expect(await events.next()).toMatchObject({ done: true });
  });

  it('reconnects after the daemon restarts: hello and subscribe again, a new snapshot', async () => {
    const client = await OracleClient.connect({ path });
    const events = client.events();
    await next(events, 'snapshot');
    for (const socket of running.sockets) socket.destroy();
    await new Promise((resolve) => running.server.close(resolve));
    hub = new OracleHub(world);
    running = await serve(path, hub);
    const again = await next(events, 'snapshot');
    expect(again.seq).toBe(1);
    client.close();
  });

  it('says clearly when there is no socket', async () => {
    await expect(OracleClient.connect({ path: join(directory, 'nope.oracle') })).rejects.toThrow(
      'no oracle socket at',
    );
  });
});
