import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToBase64, nobleBackend } from '@pathwire/crypto';
import { Device, type Peer } from '@pathwire/engine';
import { createRoaming } from '@pathwire/strategy';
import { createUserspaceOracle, type UserspaceOracle } from '@pathwire/strategy-userspace-oracle';
import { waitFor } from '@pathwire/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OracleServer, serveOracle } from './oracle-server.js';

const E1 = { address: '192.0.2.1', port: 51820 };
const E2 = { address: '2001:db8::1', port: 51820 };

/** A line-oriented connection: sends JSON, collects parsed lines. */
class Line {
  readonly lines: Record<string, unknown>[] = [];
  closed = false;
  private buffer = '';
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let i = this.buffer.indexOf('\n'); i !== -1; i = this.buffer.indexOf('\n')) {
        this.lines.push(JSON.parse(this.buffer.slice(0, i)));
        this.buffer = this.buffer.slice(i + 1);
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static open(path: string): Promise<Line> {
    return new Promise((resolve, reject) => {
      const socket = connect(path, () => resolve(new Line(socket)));
      socket.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.socket.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  }

  /** Sends a request and waits for the reply with its id. */
  async request(value: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.send(value);
    return this.reply(value.id as number);
  }

  /** Waits for the first line matching `match`, and takes it. */
  async take(
    match: (line: Record<string, unknown>) => boolean,
    what: string,
  ): Promise<Record<string, unknown>> {
    await waitFor(() => this.lines.some(match), what, 5000);
    const index = this.lines.findIndex(match);
    return this.lines.splice(index, 1)[0]!;
  }

  reply(id: number | null): Promise<Record<string, unknown>> {
    return this.take((l) => 'ok' in l && l.id === id, `reply ${id}`);
  }

  event(name: string): Promise<Record<string, unknown>> {
    return this.take((l) => l.event === name, `event ${name}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('the oracle socket', () => {
  let directory: string;
  let device: Device;
  let server: OracleServer;
  let peer: Peer;
  let stockPeer: Peer;
  let key: string;
  const setCalls: string[][] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pathwire-oracle-'));
    device = new Device({
      backend: nobleBackend,
      privateKey: nobleBackend.generateSecretKey(),
      io: { sendDatagram: () => {}, writePacket: () => {}, event: (event) => server?.deviceEvent(event) },
    });
    const publicKey = nobleBackend.publicKey(nobleBackend.generateSecretKey());
    key = bytesToBase64(publicKey);
    peer = device.setPeer(
      { publicKey, endpoints: [E1, E2], strategy: createUserspaceOracle({}) },
      Date.now(),
    );
    stockPeer = device.setPeer(
      {
        publicKey: nobleBackend.publicKey(nobleBackend.generateSecretKey()),
        endpoints: [E1],
        strategy: createRoaming({}),
      },
      Date.now(),
    );
    setCalls.length = 0;
    server = await serveOracle({
      iface: 'ortest0',
      device,
      now: () => Date.now(),
      directory,
      setEndpoints: (_peer, endpoints) => setCalls.push([...endpoints]),
      changed: () => {},
      helloTimeoutMs: 300,
    });
  });

  afterEach(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  const owner = () => (peer.strategy as UserspaceOracle).describe().owner;

  async function writer(): Promise<Line> {
    const line = await Line.open(server.path);
    expect(await line.request({ id: 0, op: 'hello', version: 1, role: 'writer' })).toMatchObject({
      ok: true,
    });
    return line;
  }

  it('is a 0600 socket at IFACE.oracle, removed on close', async () => {
    expect(server.path).toBe(join(directory, 'ortest0.oracle'));
    const info = await stat(server.path);
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
    await server.close();
    expect(existsSync(server.path)).toBe(false);
  });

  it('subscribe: a snapshot of every peer, then numbered events; select moves the active endpoint', async () => {
    const watcher = await Line.open(server.path);
    await watcher.request({ id: 1, op: 'hello', version: 1 });
    expect(await watcher.request({ id: 2, op: 'subscribe' })).toEqual({ id: 2, ok: true, seq: 1 });
    const snapshot = await watcher.event('snapshot');
    expect(snapshot).toMatchObject({ seq: 1, more: false });
    const peers = snapshot.peers as {
      publicKey: string;
      strategy: string;
      active: string;
      endpoints: unknown[];
    }[];
    expect(peers.find((p) => p.publicKey === key)).toMatchObject({
      strategy: 'userspace-oracle',
      active: '192.0.2.1:51820',
      lease: null,
    });
    expect(peers.find((p) => p.publicKey === key)!.endpoints).toHaveLength(2);

    const w = await writer();
    expect(await watcher.event('writer')).toMatchObject({ seq: 2, connected: true });
    const reply = await w.request({
      id: 3,
      op: 'select',
      peer: key,
      endpoint: '[2001:DB8::1]:51820',
      leaseMs: 60_000,
      mode: 'pin',
    });
    expect(reply).toMatchObject({ ok: true, endpoint: '[2001:db8::1]:51820', mode: 'pin' });
    expect(peer.active?.key).toBe('[2001:db8::1]:51820');
    expect(await watcher.event('active-changed')).toMatchObject({
      seq: 3,
      peer: key,
      from: '192.0.2.1:51820',
      to: '[2001:db8::1]:51820',
      cause: 'oracle',
    });
    // the writer leaves: its lease ends, watchers hear it, the fallback owns the peer
    w.close();
    expect(await watcher.event('lease-ended')).toMatchObject({ peer: key, reason: 'writer-disconnected' });
    expect(await watcher.event('writer')).toMatchObject({ connected: false });
    expect(owner()).toBe('fallback');
  });

  it('a lease lapses: the fallback owns the peer again', async () => {
    const watcher = await Line.open(server.path);
    await watcher.request({ id: 1, op: 'hello', version: 1 });
    await watcher.request({ id: 2, op: 'subscribe' });
    const w = await writer();
    await w.request({ id: 3, op: 'select', peer: key, endpoint: '192.0.2.1:51820', leaseMs: 200 });
    expect(owner()).toBe('oracle');
    expect(await watcher.event('lease-ended')).toMatchObject({ peer: key, reason: 'expired' });
    expect(owner()).toBe('fallback');
    w.close();
  });

  it('set-endpoints reaches the daemon; a second writer is refused', async () => {
    const w = await writer();
    expect(
      await w.request({
        id: 1,
        op: 'set-endpoints',
        peer: key,
        endpoints: ['vpn.example.org:51820', '192.0.2.9:1'],
      }),
    ).toMatchObject({ ok: true });
    expect(setCalls).toEqual([['vpn.example.org:51820', '192.0.2.9:1']]);
    const other = await Line.open(server.path);
    expect(await other.request({ id: 1, op: 'hello', version: 1, role: 'writer' })).toMatchObject({
      ok: false,
      error: { code: 'WRITER_TAKEN' },
    });
    w.close();
    other.close();
  });

  it('bad input gets its error, the connection stays usable, and nothing changes', async () => {
    const w = await writer();
    const before = peer.active?.key;
    w.send('this is not json');
    expect(await w.reply(null)).toMatchObject({ ok: false, error: { code: 'PARSE_ERROR' } });
    expect((await w.request({ id: 2, op: 'teleport' })).error).toMatchObject({ code: 'UNKNOWN_OP' });
    expect((await w.request({ id: 3, op: 'select', peer: key, endpoint: 7 })).error).toMatchObject({
      field: 'endpoint',
    });
    expect(
      (await w.request({ id: 4, op: 'select', peer: `${'Q'.repeat(42)}E=`, endpoint: '192.0.2.1:51820' }))
        .error,
    ).toMatchObject({
      code: 'UNKNOWN_PEER',
    });
    expect(
      (await w.request({ id: 5, op: 'select', peer: key, endpoint: '192.0.2.77:51820' })).error,
    ).toMatchObject({
      code: 'UNKNOWN_ENDPOINT',
    });
    expect(
      (await w.request({ id: 6, op: 'select', peer: stockPeer.publicKeyText, endpoint: '192.0.2.1:51820' }))
        .error,
    ).toMatchObject({
      code: 'NOT_ORACLE_PEER',
    });
    w.send(`{"id":7,"op":"hello","pad":"${'x'.repeat(100_000)}"}`);
    expect(await w.reply(null)).toMatchObject({ ok: false, error: { code: 'LINE_TOO_LONG' } });
    expect(await w.request({ id: 8, op: 'release' })).toMatchObject({ ok: true, released: 0 });
    expect(peer.active?.key).toBe(before);
    expect(owner()).toBe('fallback');
    w.close();
  });

  it('a reader that never reads loses events (bounded), and the daemon carries on', async () => {
    const stalled = await Line.open(server.path);
    stalled.socket.pause();
    stalled.send({ id: 1, op: 'hello', version: 1 });
    stalled.send({ id: 2, op: 'subscribe', statsMs: 100 });
    const w = await writer();
    // thousands of events while nobody reads: each select is an event-free reply, each probe-result an event
    for (let i = 0; i < 6000; i++) {
      w.send({
        id: 100 + i,
        op: 'select',
        peer: key,
        endpoint: i % 2 ? '192.0.2.1:51820' : '[2001:db8::1]:51820',
        leaseMs: 60_000,
        mode: 'pin',
      });
    }
    await w.reply(6099);
    const watcher = await Line.open(server.path);
    expect(await watcher.request({ id: 1, op: 'hello', version: 1 })).toMatchObject({ ok: true });
    stalled.socket.resume();
    // the stalled reader gets a gap with the count of what it lost
    await waitFor(() => stalled.lines.some((l) => typeof l.dropped === 'number'), 'a dropped count', 10_000);
    const seqs = stalled.lines.filter((l) => 'seq' in l && 'event' in l).map((l) => l.seq as number);
    expect(seqs.some((seq, i) => i > 0 && seq !== seqs[i - 1]! + 1)).toBe(true);
    w.close();
    watcher.close();
    stalled.close();
  });

  it('1,000 connections opened and abandoned are closed; the server still answers', async () => {
    const abandoned: Socket[] = [];
    for (let i = 0; i < 1000; i++) {
      const socket = connect(server.path);
      socket.on('error', () => {});
      abandoned.push(socket);
    }
    await waitFor(
      () => abandoned.every((s) => s.destroyed || s.closed),
      'abandoned connections closed',
      20_000,
    );
    expect(server.connections).toBe(0);
    const w = await writer();
    expect(await w.request({ id: 1, op: 'select', peer: key, endpoint: '192.0.2.1:51820' })).toMatchObject({
      ok: true,
    });
    w.close();
  });
});
