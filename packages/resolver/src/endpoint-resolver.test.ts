import { afterEach, describe, expect, it } from 'vitest';
import { type EndpointChange, EndpointResolver, type ResolveReport } from './endpoint-resolver.js';
import type { EndpointResolverOptions } from './resolver-options.js';
import { ManualClock, settle } from './test-support/manual-clock.js';
import { ScriptedDns } from './test-support/scripted-lookup.js';

const open: EndpointResolver[] = [];
afterEach(() => {
  for (const r of open.splice(0)) r.close();
});

function setup(list: string, options: EndpointResolverOptions = {}) {
  const clock = new ManualClock();
  const dns = new ScriptedDns();
  const resolver = new EndpointResolver(list, {
    clock,
    lookup: dns.lookup,
    minTtlMs: 1_000,
    ...options,
  });
  open.push(resolver);
  const changes: EndpointChange[] = [];
  const reports: ResolveReport[] = [];
  resolver.on('change', (c) => changes.push(c));
  resolver.on('resolve', (r) => reports.push(r));
  const keys = () => resolver.endpoints().map((e) => e.key);
  const last = () => changes[changes.length - 1]!;
  const summary = (c: EndpointChange) => ({
    added: c.added.map((e) => e.key),
    removed: c.removed.map((e) => e.key),
    updated: c.updated.map((e) => e.key),
  });
  return { clock, dns, resolver, changes, reports, keys, last, summary };
}

describe('EndpointResolver', () => {
  it('publishes literals at start, then every A and AAAA record, interleaved IPv6 first', async () => {
    const t = setup('203.0.113.7:51820, [2001:db8::7]:51820, vpn.example.org:51820, 192.168.1.2:51820');
    t.dns
      .a('vpn.example.org', 300, '198.51.100.1', '198.51.100.2')
      .aaaa('vpn.example.org', 300, '2001:db8::a');
    const ready = t.resolver.start();
    expect(t.summary(t.changes[0]!).added).toEqual([
      '203.0.113.7:51820',
      '[2001:db8::7]:51820',
      '192.168.1.2:51820',
    ]);
    await ready;
    expect(t.summary(t.last()).added).toEqual([
      '[2001:db8::a]:51820',
      '198.51.100.1:51820',
      '198.51.100.2:51820',
    ]);
    expect(t.keys()).toEqual([
      '[2001:db8::7]:51820',
      '203.0.113.7:51820',
      '[2001:db8::a]:51820',
      '198.51.100.1:51820',
      '198.51.100.2:51820',
      '192.168.1.2:51820',
    ]);
    const fromDns = t.resolver.get('198.51.100.1:51820')!;
    expect(fromDns).toMatchObject({ family: 4, class: 'documentation', stale: false });
    expect(fromDns.sources).toEqual([
      {
        kind: 'dns',
        item: 'vpn.example.org:51820',
        index: 2,
        offset: 40,
        hostname: 'vpn.example.org',
        ttl: 300,
        expiresAt: t.clock.now() + 300_000,
        stale: false,
      },
    ]);
    expect(t.resolver.get('192.168.1.2:51820')).toMatchObject({
      class: 'private',
      sources: [{ kind: 'literal' }],
    });
  });

  it('merges duplicates across items and remembers every item', async () => {
    const t = setup('192.0.2.1:51820, a.example:51820, b.example:51820');
    t.dns.a('a.example', 60, '192.0.2.1', '192.0.2.2').a('b.example', 60, '192.0.2.2');
    await t.resolver.start();
    expect(t.keys()).toEqual(['192.0.2.1:51820', '192.0.2.2:51820']);
    expect(t.resolver.get('192.0.2.1:51820')!.sources.map((s) => s.index)).toEqual([0, 1]);
    expect(t.resolver.get('192.0.2.2:51820')!.sources.map((s) => s.item)).toEqual([
      'a.example:51820',
      'b.example:51820',
    ]);
    // a.example stops pointing at 192.0.2.2: still there through b.example, so updated, not removed.
    t.dns.a('a.example', 60, '192.0.2.1');
    await t.clock.advance(60_000);
    expect(t.summary(t.last())).toEqual({ added: [], removed: [], updated: ['192.0.2.2:51820'] });
    expect(t.resolver.get('192.0.2.2:51820')!.sources.map((s) => s.index)).toEqual([2]);
  });

  it('asks once per name even when several items name it, with different ports', async () => {
    const t = setup('a.example:1, a.example:2');
    t.dns.a('a.example', 60, '192.0.2.1');
    await t.resolver.start();
    expect(t.dns.questions).toEqual([
      { hostname: 'a.example', family: 4 },
      { hostname: 'a.example', family: 6 },
    ]);
    expect(t.keys()).toEqual(['192.0.2.1:1', '192.0.2.1:2']);
    expect(t.resolver.status('A.EXAMPLE.')).toMatchObject({
      items: [0, 1],
      lastOutcome: { 4: 'answer', 6: 'nxdomain' },
    });
  });

  it('re-resolves when the TTL runs out and reports what changed', async () => {
    const t = setup('vpn.example:51820');
    t.dns.a('vpn.example', 30, '192.0.2.1').aaaa('vpn.example', 60, '2001:db8::1');
    await t.resolver.start();
    expect(t.resolver.status('vpn.example').nextQueryAt).toBe(t.clock.now() + 30_000);
    t.dns.a('vpn.example', 30, '192.0.2.9');
    await t.clock.advance(29_999);
    expect(t.dns.count('vpn.example')).toBe(2);
    await t.clock.advance(1);
    expect(t.dns.count('vpn.example')).toBe(4);
    expect(t.summary(t.last())).toEqual({
      added: ['192.0.2.9:51820'],
      removed: ['192.0.2.1:51820'],
      updated: [],
    });
    expect(t.keys()).toEqual(['[2001:db8::1]:51820', '192.0.2.9:51820']);
  });

  it('clamps TTLs to [minTtlMs, maxTtlMs]', async () => {
    const t = setup('zero.example:1, huge.example:1', { minTtlMs: 5_000, maxTtlMs: 600_000 });
    t.dns.a('zero.example', 0, '192.0.2.1').aaaa('zero.example', 0, '2001:db8::1');
    t.dns.a('huge.example', 604_800, '192.0.2.2').aaaa('huge.example', 604_800, '2001:db8::2');
    await t.resolver.start();
    expect(t.resolver.status('zero.example').nextQueryAt).toBe(t.clock.now() + 5_000);
    expect(t.resolver.status('huge.example').nextQueryAt).toBe(t.clock.now() + 600_000);
    await t.clock.advance(600_000);
    expect(t.dns.count('zero.example')).toBe(2 * 121);
    expect(t.dns.count('huge.example')).toBe(4);
  });

  it('keeps the last good answer on SERVFAIL, marks it stale, backs off, and recovers', async () => {
    const t = setup('vpn.example:51820', { retryMinMs: 1_000, retryMaxMs: 4_000 });
    t.dns.a('vpn.example', 10, '192.0.2.1').set('vpn.example', 6, { kind: 'nodata' });
    await t.resolver.start();
    t.dns.both('vpn.example', { kind: 'failure', code: 'ESERVFAIL' });
    await t.clock.advance(10_000);
    expect(t.keys()).toEqual(['192.0.2.1:51820']);
    expect(t.resolver.get('192.0.2.1:51820')!.stale).toBe(true);
    expect(t.summary(t.last())).toEqual({ added: [], removed: [], updated: ['192.0.2.1:51820'] });
    expect(t.reports.at(-2)).toMatchObject({ family: 4, outcome: 'failure', code: 'ESERVFAIL', stale: true });
    // backoff 1 s, 2 s, 4 s, 4 s (capped)
    const starts: number[] = [];
    const before = t.clock.now();
    for (let i = 0; i < 4; i++) {
      const next = t.resolver.status('vpn.example').nextQueryAt!;
      starts.push(next - before);
      await t.clock.advance(next - t.clock.now());
    }
    expect(starts).toEqual([1_000, 3_000, 7_000, 11_000]);
    expect(t.resolver.status('vpn.example').consecutiveFailures).toBe(5);
    t.dns.a('vpn.example', 10, '192.0.2.1').set('vpn.example', 6, { kind: 'nodata' });
    await t.clock.advance(4_000);
    expect(t.resolver.get('192.0.2.1:51820')!.stale).toBe(false);
    expect(t.resolver.status('vpn.example')).toMatchObject({ stale: false, consecutiveFailures: 0 });
  });

  it('treats a lookup that never answers as a timeout and cancels it', async () => {
    const t = setup('vpn.example:51820', { queryTimeoutMs: 2_000 });
    t.dns.a('vpn.example', 10, '192.0.2.1');
    await t.resolver.start();
    t.dns.both('vpn.example', 'hang');
    await t.clock.advance(10_000);
    expect(t.dns.hanging).toHaveLength(2);
    expect(t.dns.hanging.every((h) => !h.signal.aborted)).toBe(true);
    await t.clock.advance(2_000);
    expect(t.dns.hanging.every((h) => h.signal.aborted)).toBe(true);
    expect(t.reports.at(-1)).toMatchObject({ outcome: 'failure', code: 'ETIMEOUT' });
    expect(t.resolver.get('192.0.2.1:51820')).toMatchObject({ stale: true });
  });

  it('a failure before the TTL runs out (on-demand refresh) does not make records stale', async () => {
    const t = setup('vpn.example:51820');
    t.dns.a('vpn.example', 300, '192.0.2.1');
    await t.resolver.start();
    t.dns.both('vpn.example', { kind: 'failure', code: 'EREFUSED' });
    await t.clock.advance(5_000);
    await t.resolver.refresh('vpn.example');
    expect(t.resolver.get('192.0.2.1:51820')!.stale).toBe(false);
  });

  it('drops addresses after NXDOMAIN lasts longer than the grace period', async () => {
    const t = setup('gone.example:1, 192.0.2.200:1', {
      nxdomainGraceMs: 20_000,
      negativeTtlMs: 5_000,
    });
    t.dns.a('gone.example', 10, '192.0.2.1').aaaa('gone.example', 10, '2001:db8::1');
    await t.resolver.start();
    t.dns.both('gone.example', { kind: 'nxdomain' });
    await t.clock.advance(10_000);
    expect(t.keys()).toEqual(['[2001:db8::1]:1', '192.0.2.1:1', '192.0.2.200:1']);
    expect(t.resolver.endpoints().map((e) => e.stale)).toEqual([true, true, false]);
    expect(t.resolver.status('gone.example').nxdomainSince).toBe(t.clock.now());
    await t.clock.advance(19_999);
    expect(t.keys()).toHaveLength(3);
    await t.clock.advance(1);
    expect(t.summary(t.last())).toEqual({
      added: [],
      removed: ['[2001:db8::1]:1', '192.0.2.1:1'],
      updated: [],
    });
    expect(t.keys()).toEqual(['192.0.2.200:1']);
    // it comes back
    t.dns.a('gone.example', 10, '192.0.2.1');
    await t.clock.advance(5_000);
    expect(t.keys()).toEqual(['192.0.2.1:1', '192.0.2.200:1']);
  });

  it('forgets NXDOMAIN when the name answers again within the grace period', async () => {
    const t = setup('flap.example:1', { nxdomainGraceMs: 60_000, negativeTtlMs: 5_000 });
    t.dns.a('flap.example', 10, '192.0.2.1');
    await t.resolver.start();
    t.dns.both('flap.example', { kind: 'nxdomain' });
    await t.clock.advance(10_000);
    expect(t.resolver.get('192.0.2.1:1')!.stale).toBe(true);
    t.dns.a('flap.example', 10, '192.0.2.1').set('flap.example', 6, { kind: 'nodata' });
    await t.clock.advance(5_000);
    expect(t.resolver.get('192.0.2.1:1')!.stale).toBe(false);
    expect(t.resolver.status('flap.example').nxdomainSince).toBeUndefined();
  });

  it('drops a family at once on NODATA', async () => {
    const t = setup('v6.example:1');
    t.dns.a('v6.example', 10, '192.0.2.1').aaaa('v6.example', 10, '2001:db8::1');
    await t.resolver.start();
    t.dns.set('v6.example', 4, { kind: 'nodata' });
    await t.clock.advance(10_000);
    expect(t.summary(t.last()).removed).toEqual(['192.0.2.1:1']);
    expect(t.keys()).toEqual(['[2001:db8::1]:1']);
  });

  it('caps the addresses of a name, keeping both families and not churning on rotation', async () => {
    const t = setup('many.example:1', { maxAddressesPerName: 4 });
    const v4 = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'];
    const v6 = ['2001:db8::1', '2001:db8::2', '2001:db8::3'];
    t.dns.a('many.example', 10, ...v4).aaaa('many.example', 10, ...v6);
    await t.resolver.start();
    expect(t.keys()).toEqual(['[2001:db8::1]:1', '192.0.2.1:1', '[2001:db8::2]:1', '192.0.2.2:1']);
    // a round-robin server rotates its answer: the kept addresses stay
    t.dns
      .a('many.example', 10, ...v4.slice(2), ...v4.slice(0, 2))
      .aaaa('many.example', 10, ...v6.slice(1), v6[0]!);
    const before = t.changes.length;
    await t.clock.advance(10_000);
    expect(t.changes.length).toBe(before);
    expect(new Set(t.keys())).toEqual(
      new Set(['[2001:db8::1]:1', '192.0.2.1:1', '[2001:db8::2]:1', '192.0.2.2:1']),
    );
    // one of the kept addresses disappears: a new one takes its place
    t.dns.a('many.example', 10, '192.0.2.2', '192.0.2.3');
    await t.clock.advance(10_000);
    expect(t.summary(t.last())).toEqual({ added: ['192.0.2.3:1'], removed: ['192.0.2.1:1'], updated: [] });
  });

  it('normalises IPv4-mapped AAAA answers to IPv4 and merges them with A answers', async () => {
    const t = setup('mapped.example:1');
    t.dns
      .a('mapped.example', 10, '192.0.2.1')
      .aaaa('mapped.example', 10, '::ffff:192.0.2.1', '2001:DB8:0::1');
    await t.resolver.start();
    expect(t.keys()).toEqual(['[2001:db8::1]:1', '192.0.2.1:1']);
    expect(t.resolver.get('192.0.2.1:1')!.sources).toHaveLength(1);
  });

  it('ignores answers that can never be a peer (a DNS sinkhole answering 0.0.0.0)', async () => {
    const t = setup('blocked.example:1');
    t.dns
      .a('blocked.example', 10, '0.0.0.0', '192.0.2.1', '224.0.0.1')
      .aaaa('blocked.example', 10, '::', 'bogus');
    await t.resolver.start();
    expect(t.keys()).toEqual(['192.0.2.1:1']);
    expect(t.reports.map((r) => r.ignored.map((i) => i.address))).toEqual([
      ['0.0.0.0', '224.0.0.1'],
      ['::', 'bogus'],
    ]);
  });

  it('refuses literals that can never be a peer, quoting the item', () => {
    expect(() => new EndpointResolver('192.0.2.1:1, 0.0.0.0:51820')).toThrowError(
      expect.objectContaining({ code: 'UNUSABLE_ADDRESS', index: 1, offset: 13, item: '0.0.0.0:51820' }),
    );
    expect(() => new EndpointResolver('[ff02::1]:1')).toThrowError(/multicast/);
  });

  it('stops serving stale answers after maxStaleMs', async () => {
    const t = setup('vpn.example:1', { maxStaleMs: 30_000, retryMinMs: 10_000, retryMaxMs: 10_000 });
    t.dns.a('vpn.example', 10, '192.0.2.1');
    await t.resolver.start();
    t.dns.both('vpn.example', { kind: 'failure', code: 'ETIMEOUT' });
    await t.clock.advance(30_000);
    expect(t.keys()).toEqual(['192.0.2.1:1']);
    await t.clock.advance(10_000);
    expect(t.keys()).toEqual([]);
  });

  it('counts a rejecting lookup as a failure', async () => {
    const clock = new ManualClock();
    const resolver = new EndpointResolver('x.example:1', {
      clock,
      lookup: () => Promise.reject(Object.assign(new Error('boom'), { code: 'EBOOM' })),
    });
    open.push(resolver);
    const reports: ResolveReport[] = [];
    resolver.on('resolve', (r) => reports.push(r));
    await resolver.start();
    expect(reports.map((r) => r.code)).toEqual(['EBOOM', 'EBOOM']);
  });

  it('checks options and servers up front', () => {
    expect(() => new EndpointResolver('a.example:1', { minTtlMs: 10, maxTtlMs: 5 })).toThrowError(
      expect.objectContaining({ code: 'BAD_OPTION' }),
    );
    expect(() => new EndpointResolver('a.example:1', { maxAddressesPerName: 0 })).toThrowError(
      /maxAddressesPerName/,
    );
    expect(() => new EndpointResolver('a.example:1', { servers: ['not a server'] })).toThrowError(
      expect.objectContaining({ code: 'BAD_SERVER' }),
    );
    expect(
      () => new EndpointResolver('a.example:1', { servers: ['127.0.0.1:5353', '[::1]:53'] }),
    ).not.toThrow();
  });

  it('unsubscribes, and a throwing listener does not stop the others', async () => {
    const t = setup('192.0.2.1:1, a.example:1');
    t.dns.a('a.example', 10, '192.0.2.2');
    const seen: number[] = [];
    const off = t.resolver.on('change', () => seen.push(1));
    off();
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      t.resolver.on('change', () => {
        throw new Error('listener bug');
      });
      t.resolver.on('change', () => seen.push(2));
      await t.resolver.start();
      await settle();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(seen).toEqual([2, 2]);
    expect(thrown).toEqual([expect.objectContaining({ message: 'listener bug' }), expect.anything()]);
    expect(t.changes).toHaveLength(2);
  });

  describe('refresh', () => {
    it('asks again at once, joins a running query, and respects the cool-down', async () => {
      const t = setup('vpn.example:1', { refreshCooldownMs: 1_000 });
      t.dns.a('vpn.example', 300, '192.0.2.1').aaaa('vpn.example', 300, '2001:db8::1');
      await t.resolver.start();
      expect(t.dns.count('vpn.example')).toBe(2);
      await t.clock.advance(1_000);
      t.dns.a('vpn.example', 300, '192.0.2.2').set('vpn.example', 6, { kind: 'nodata' });
      const a = t.resolver.refresh('vpn.example');
      const b = t.resolver.refresh('VPN.example');
      expect(a).toBe(b);
      await a;
      expect(t.dns.count('vpn.example')).toBe(4);
      expect(t.keys()).toEqual(['192.0.2.2:1']);
      // within the cool-down: the run is brought forward to its end, not repeated now
      let done = false;
      void t.resolver.refresh('vpn.example').then(() => {
        done = true;
      });
      await settle();
      expect(t.dns.count('vpn.example')).toBe(4);
      expect(done).toBe(false);
      expect(t.resolver.status('vpn.example').nextQueryAt).toBe(t.clock.now() + 1_000);
      await t.clock.advance(1_000);
      expect(done).toBe(true);
      expect(t.dns.count('vpn.example')).toBe(6);
      expect(t.resolver.status('vpn.example').nextQueryAt).toBe(t.clock.now() + 60_000); // NODATA: negativeTtlMs
    });

    it('refreshes every name when none is given, and rejects unknown names', async () => {
      const t = setup('a.example:1, b.example:1');
      await t.resolver.start();
      await t.clock.advance(2_000);
      await t.resolver.refresh();
      expect(t.dns.count('a.example') + t.dns.count('b.example')).toBe(8);
      await expect(t.resolver.refresh('c.example')).rejects.toMatchObject({ code: 'UNKNOWN_NAME' });
      expect(() => t.resolver.status('c.example')).toThrowError(/not in the endpoint list/);
    });
  });

  describe('close', () => {
    it('stops timers, cancels queries in flight, and nothing fires after it', async () => {
      const t = setup('slow.example:1, fast.example:1, 192.0.2.50:1');
      t.dns.both('slow.example', 'hang').a('fast.example', 10, '192.0.2.1');
      const ready = t.resolver.start();
      await settle();
      expect(t.clock.pending).toBeGreaterThan(0);
      const refreshed = t.resolver.refresh('fast.example');
      const events = t.changes.length + t.reports.length;
      t.resolver.close();
      expect(t.clock.pending).toBe(0);
      expect(t.dns.hanging.every((h) => h.signal.aborted)).toBe(true);
      await ready;
      await refreshed;
      await t.clock.advance(3_600_000);
      expect(t.changes.length + t.reports.length).toBe(events);
      expect(t.clock.pending).toBe(0);
      expect(t.resolver.closed).toBe(true);
      await t.resolver.refresh();
      expect(t.dns.questions.length).toBe(4);
      t.resolver.close(); // idempotent
    });

    it('drops an answer that arrives after close', async () => {
      const clock = new ManualClock();
      let answer: ((a: { kind: 'nodata' }) => void) | undefined;
      const resolver = new EndpointResolver('late.example:1', {
        clock,
        lookup: (_name, family) =>
          family === 4 ? new Promise((resolve) => (answer = resolve)) : Promise.resolve({ kind: 'nodata' }),
      });
      let fired = 0;
      resolver.on('change', () => fired++);
      resolver.on('resolve', () => fired++);
      void resolver.start();
      await settle();
      resolver.close();
      answer!({ kind: 'nodata' });
      await settle();
      expect(fired).toBe(0);
      expect(clock.pending).toBe(0);
    });
  });
});
