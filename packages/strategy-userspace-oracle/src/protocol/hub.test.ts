import { describe, expect, it } from 'vitest';
import { ENDPOINTS, fakeWorld, PEER_A, PEER_B, STOCK } from '../test-support/fake-world.js';
import { type HubEffect, OracleHub } from './hub.js';
import { MAX_LINE_BYTES } from './messages.js';

const json = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

function greeted(hub: OracleHub, role: 'writer' | 'watcher' = 'writer') {
  const c = hub.connect();
  hub.receive(c, JSON.stringify({ id: 0, op: 'hello', version: 1, role }), 0);
  hub.take(c);
  return c;
}

function send(hub: OracleHub, c: number, request: Record<string, unknown>, now = 0) {
  const effects = hub.receive(c, JSON.stringify(request), now);
  return { effects, lines: json(hub.take(c)) };
}

describe('hello', () => {
  it('negotiates the highest common version and the role', () => {
    const hub = new OracleHub(fakeWorld());
    const c = hub.connect();
    const { lines } = send(hub, c, { id: 1, op: 'hello', version: 7, role: 'writer' });
    expect(lines).toEqual([{ id: 1, ok: true, version: 1, versions: [1], role: 'writer' }]);
    expect(hub.hasWriter).toBe(true);
  });

  it('refuses version 0, a second hello, and anything before hello', () => {
    const hub = new OracleHub(fakeWorld());
    const c = hub.connect();
    expect(send(hub, c, { id: 1, op: 'subscribe' }).lines[0]!.error).toMatchObject({
      code: 'HELLO_REQUIRED',
    });
    expect(send(hub, c, { id: 2, op: 'hello', version: 0 }).lines[0]!.error).toMatchObject({
      code: 'UNSUPPORTED_VERSION',
      field: 'version',
    });
    send(hub, c, { id: 3, op: 'hello', version: 1 });
    expect(send(hub, c, { id: 4, op: 'hello', version: 1 }).lines[0]!.error).toMatchObject({
      code: 'ALREADY_GREETED',
    });
  });

  it('allows one writer at a time; the seat frees when it disconnects', () => {
    const hub = new OracleHub(fakeWorld());
    const first = greeted(hub, 'writer');
    const second = hub.connect();
    expect(send(hub, second, { id: 1, op: 'hello', version: 1, role: 'writer' }).lines[0]).toMatchObject({
      id: 1,
      ok: false,
      error: { code: 'WRITER_TAKEN', field: 'role' },
    });
    hub.disconnect(first);
    expect(send(hub, second, { id: 2, op: 'hello', version: 1, role: 'writer' }).lines[0]).toMatchObject({
      ok: true,
    });
  });
});

describe('subscribe', () => {
  it('replies with the first seq, then the snapshot, then numbered events', () => {
    const hub = new OracleHub(fakeWorld());
    const watcher = greeted(hub, 'watcher');
    const writer = greeted(hub, 'writer');
    const { lines } = send(hub, watcher, { id: 1, op: 'subscribe' });
    expect(lines[0]).toEqual({ id: 1, ok: true, seq: 1 });
    expect(lines[1]).toMatchObject({ seq: 1, event: 'snapshot', more: false });
    const peers = lines[1]!.peers as { publicKey: string; lease: unknown; endpoints: unknown[] }[];
    expect(peers.map((p) => p.publicKey)).toEqual([PEER_A, PEER_B, STOCK]);
    expect(peers[0]!.endpoints).toHaveLength(2);
    send(hub, writer, { id: 2, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[1], leaseMs: 1000 });
    expect(json(hub.take(watcher))).toEqual([]); // a select is seen through active-changed, from the engine
    hub.publish({ event: 'roam', peer: PEER_A, endpoint: '198.51.100.9:1' });
    expect(json(hub.take(watcher))).toEqual([
      { seq: 2, event: 'roam', peer: PEER_A, endpoint: '198.51.100.9:1' },
    ]);
  });

  it('splits a large snapshot into lines no longer than 64 KiB', () => {
    const hub = new OracleHub(fakeWorld(1000));
    const c = greeted(hub, 'watcher');
    hub.receive(c, '{"id":1,"op":"subscribe"}', 0);
    const lines = hub.take(c).slice(1);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines)
      expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const parsed = json(lines);
    expect(parsed.map((l) => l.more)).toEqual([...Array(lines.length - 1).fill(true), false]);
    expect(parsed.map((l) => l.seq)).toEqual(parsed.map((_, i) => i + 1));
    expect(parsed.flatMap((l) => l.peers as unknown[])).toHaveLength(1003);
  });

  it('sends stats at the requested period on the injected clock', () => {
    const hub = new OracleHub(fakeWorld());
    const c = greeted(hub, 'watcher');
    hub.receive(c, '{"id":1,"op":"subscribe","statsMs":1000}', 0);
    hub.take(c);
    expect(hub.nextDeadline()).toBe(1000);
    hub.tick(999);
    expect(hub.take(c)).toEqual([]);
    hub.tick(1000);
    const stats = json(hub.take(c));
    expect(stats.map((s) => [s.event, s.peer])).toEqual([
      ['stats', PEER_A],
      ['stats', PEER_B],
      ['stats', STOCK],
    ]);
    expect(hub.nextDeadline()).toBe(2000);
    send(hub, c, { id: 2, op: 'unsubscribe' });
    expect(hub.nextDeadline()).toBeUndefined();
  });
});

describe('a slow reader', () => {
  it('loses events beyond its queue bound, counted, and sees the gap and the count', () => {
    const hub = new OracleHub(fakeWorld(), 4);
    const c = greeted(hub, 'watcher');
    hub.receive(c, '{"id":1,"op":"subscribe"}', 0); // reply + snapshot (seq 1)
    for (let i = 0; i < 10; i++) hub.publish({ event: 'roam', peer: PEER_A, endpoint: `192.0.2.9:${i + 1}` });
    const first = json(hub.take(c));
    expect(first.filter((l) => 'event' in l).map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(hub.dropped(c)).toBe(7);
    hub.publish({ event: 'roam', peer: PEER_A, endpoint: '192.0.2.9:99' });
    expect(json(hub.take(c))).toEqual([
      { seq: 12, dropped: 7, event: 'roam', peer: PEER_A, endpoint: '192.0.2.9:99' },
    ]);
  });
});

describe('select and leases', () => {
  it('turns a select into an order for the strategy with the lease deadline', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    const { effects, lines } = send(
      hub,
      w,
      { id: 5, op: 'select', peer: PEER_A, endpoint: '[2001:DB8::1]:51820', leaseMs: 2000, mode: 'pin' },
      100,
    );
    expect(lines).toEqual([{ id: 5, ok: true, endpoint: ENDPOINTS[1], mode: 'pin', expiresInMs: 2000 }]);
    expect(effects).toEqual([
      {
        type: 'command',
        peer: PEER_A,
        command: { op: 'select', endpoint: ENDPOINTS[1], mode: 'pin', until: 2100 },
      },
    ]);
    expect(hub.lease(PEER_A)).toEqual({ endpoint: ENDPOINTS[1], mode: 'pin', expiresAt: 2100 });
  });

  it('mode defaults to prefer and the lease to 30 s', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    const { effects } = send(hub, w, { id: 1, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0] }, 0);
    expect(effects[0]).toMatchObject({ command: { mode: 'prefer', until: 30_000 } });
  });

  it('a lease lapses on virtual time: release order and a lease-ended event, exactly at the deadline', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    const watcher = greeted(hub, 'watcher');
    hub.receive(watcher, '{"id":1,"op":"subscribe"}', 0);
    hub.take(watcher);
    send(hub, w, { id: 1, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0], leaseMs: 500 }, 1000);
    expect(hub.nextDeadline()).toBe(1500);
    expect(hub.tick(1499)).toEqual([]);
    expect(hub.tick(1500)).toEqual([
      { type: 'command', peer: PEER_A, command: { op: 'release', reason: 'expired' } },
    ]);
    expect(json(hub.take(watcher))).toEqual([
      { seq: 2, event: 'lease-ended', peer: PEER_A, reason: 'expired' },
    ]);
    expect(hub.lease(PEER_A)).toBeUndefined();
    expect(hub.tick(5000)).toEqual([]);
  });

  it('renewing a lease moves its deadline', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    send(hub, w, { id: 1, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0], leaseMs: 500 }, 0);
    send(hub, w, { id: 2, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0], leaseMs: 500 }, 400);
    expect(hub.tick(600)).toEqual([]);
    expect(hub.tick(900)).toHaveLength(1);
  });

  it('the writer disconnecting ends every lease; watchers hear of it', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    const watcher = greeted(hub, 'watcher');
    hub.receive(watcher, '{"id":1,"op":"subscribe"}', 0);
    hub.take(watcher);
    send(hub, w, { id: 1, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0] });
    send(hub, w, { id: 2, op: 'select', peer: PEER_B, endpoint: ENDPOINTS[1] });
    const effects = hub.disconnect(w);
    expect(effects.map((e: HubEffect) => e.type === 'command' && [e.peer, e.command])).toEqual([
      [PEER_A, { op: 'release', reason: 'writer-disconnected' }],
      [PEER_B, { op: 'release', reason: 'writer-disconnected' }],
    ]);
    expect(json(hub.take(watcher)).map((e) => e.event)).toEqual(['lease-ended', 'lease-ended', 'writer']);
    expect(hub.nextDeadline()).toBeUndefined();
  });

  it('release ends one lease or all', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    send(hub, w, { id: 1, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0] });
    send(hub, w, { id: 2, op: 'select', peer: PEER_B, endpoint: ENDPOINTS[0] });
    expect(send(hub, w, { id: 3, op: 'release', peer: PEER_B }).effects).toHaveLength(1);
    expect(hub.lease(PEER_A)).toBeDefined();
    const all = send(hub, w, { id: 4, op: 'release' });
    expect(all.lines[0]).toEqual({ id: 4, ok: true, released: 1 });
    expect(hub.lease(PEER_A)).toBeUndefined();
  });

  it('advise is an event only; it ends an order that was in force', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    const watcher = greeted(hub, 'watcher');
    hub.receive(watcher, '{"id":1,"op":"subscribe"}', 0);
    hub.take(watcher);
    expect(
      send(hub, w, { id: 1, op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0], mode: 'advise' }).effects,
    ).toEqual([]);
    send(hub, w, { id: 2, op: 'select', peer: PEER_B, endpoint: ENDPOINTS[0], mode: 'pin' });
    expect(
      send(hub, w, { id: 3, op: 'select', peer: PEER_B, endpoint: ENDPOINTS[1], mode: 'advise' }).effects,
    ).toEqual([{ type: 'command', peer: PEER_B, command: { op: 'release', reason: 'replaced' } }]);
    expect(json(hub.take(watcher)).map((e) => [e.event, e.peer])).toEqual([
      ['advice', PEER_A],
      ['advice', PEER_B],
    ]);
  });
});

describe('probe and set-endpoints', () => {
  it('probe becomes an order for the strategy', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    const { effects, lines } = send(hub, w, { id: 1, op: 'probe', peer: PEER_A, endpoint: ENDPOINTS[1] });
    expect(lines).toEqual([{ id: 1, ok: true, endpoint: ENDPOINTS[1] }]);
    expect(effects).toEqual([
      { type: 'command', peer: PEER_A, command: { op: 'probe', endpoint: ENDPOINTS[1] } },
    ]);
  });

  it('set-endpoints checks every item before anything is applied', () => {
    const hub = new OracleHub(fakeWorld());
    const w = greeted(hub);
    const bad = send(hub, w, {
      id: 1,
      op: 'set-endpoints',
      peer: PEER_A,
      endpoints: ['192.0.2.1:1', 'nonsense'],
    });
    expect(bad.effects).toEqual([]);
    expect(bad.lines[0]!.error).toMatchObject({ code: 'BAD_ENDPOINT', field: 'endpoints[1]' });
    const good = send(hub, w, {
      id: 2,
      op: 'set-endpoints',
      peer: PEER_A,
      endpoints: ['vpn.example.org:51820'],
    });
    expect(good.effects).toEqual([
      { type: 'set-endpoints', peer: PEER_A, endpoints: ['vpn.example.org:51820'] },
    ]);
  });
});

describe('errors change nothing', () => {
  const cases: [string, Record<string, unknown>, string, string | undefined][] = [
    ['a watcher selecting', { op: 'select', peer: PEER_A, endpoint: ENDPOINTS[0] }, 'NOT_WRITER', 'op'],
    [
      'an unknown peer',
      { op: 'select', peer: `${'Z'.repeat(42)}E=`, endpoint: ENDPOINTS[0] },
      'UNKNOWN_PEER',
      'peer',
    ],
    [
      'a peer that is not an oracle peer',
      { op: 'probe', peer: STOCK, endpoint: ENDPOINTS[0] },
      'NOT_ORACLE_PEER',
      'peer',
    ],
    [
      'an unknown endpoint',
      { op: 'select', peer: PEER_A, endpoint: '192.0.2.200:1' },
      'UNKNOWN_ENDPOINT',
      'endpoint',
    ],
  ];
  for (const [name, request, code, field] of cases) {
    it(`${name}: ${code}`, () => {
      const hub = new OracleHub(fakeWorld());
      const writer = greeted(hub, 'writer');
      const c = code === 'NOT_WRITER' ? greeted(hub, 'watcher') : writer;
      const { effects, lines } = send(hub, c, { id: 9, ...request });
      expect(effects).toEqual([]);
      expect(lines).toEqual([{ id: 9, ok: false, error: { code, field, message: expect.any(String) } }]);
      expect(hub.lease(PEER_A)).toBeUndefined();
      expect(hub.nextDeadline()).toBeUndefined();
    });
  }
});
