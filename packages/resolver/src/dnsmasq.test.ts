/**
 * Against a real DNS server: a private dnsmasq on loopback, with 1-second TTLs and a hosts
 * file rewritten mid-test. Skipped when dnsmasq is missing, except under CI (testkit's gate),
 * where that is a failure.
 */
import { describeWith } from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDnsLookup } from './dns-lookup.js';
import { type EndpointChange, EndpointResolver, type ResolveReport } from './endpoint-resolver.js';
import { Dnsmasq, findDnsmasq, waitFor } from './test-support/dnsmasq.js';

const DNSMASQ = findDnsmasq();
const HOSTS = `
192.0.2.11 multi.pathwire.test
192.0.2.12 multi.pathwire.test
192.0.2.13 multi.pathwire.test
2001:db8::11 multi.pathwire.test
2001:db8::12 multi.pathwire.test
2001:db8::13 multi.pathwire.test
198.51.100.5 moving.pathwire.test
2001:db8::5 moving.pathwire.test
198.51.100.7 doomed.pathwire.test
203.0.113.9 v4only.pathwire.test
203.0.113.10 frozen.pathwire.test
2001:db8::10 frozen.pathwire.test
`;

// Skips on a laptop without dnsmasq; under CI (CI=true or CI=1) its absence is a failure.
const capability = DNSMASQ
  ? { ok: true, reason: '' }
  : { ok: false, reason: 'dnsmasq not found in PATH or /usr/sbin (run scripts/setup.sh as root)' };

describeWith(capability, 'against a real dnsmasq', () => {
  let dns: Dnsmasq;
  const resolvers: EndpointResolver[] = [];

  beforeAll(async () => {
    dns = await Dnsmasq.start(DNSMASQ!, HOSTS, 1);
  });

  afterAll(async () => {
    for (const r of resolvers) r.close();
    await dns?.close();
  });

  function track(resolver: EndpointResolver) {
    resolvers.push(resolver);
    const changes: EndpointChange[] = [];
    const reports: ResolveReport[] = [];
    resolver.on('change', (c) => changes.push(c));
    resolver.on('resolve', (r) => reports.push(r));
    return { changes, reports, keys: () => resolver.endpoints().map((e) => e.key) };
  }

  it('the node:dns lookup maps answers, NODATA, NXDOMAIN and REFUSED', async () => {
    const lookup = createDnsLookup({ servers: [dns.server] });
    const signal = new AbortController().signal;
    const a = await lookup('multi.pathwire.test', 4, signal);
    expect(a.kind === 'answer' && a.records.map((r) => r.address).sort()).toEqual([
      '192.0.2.11',
      '192.0.2.12',
      '192.0.2.13',
    ]);
    expect(a.kind === 'answer' && a.records.every((r) => r.ttl === 1)).toBe(true);
    expect(await lookup('v4only.pathwire.test', 6, signal)).toEqual({ kind: 'nodata' });
    expect(await lookup('nope.pathwire.test', 4, signal)).toEqual({ kind: 'nxdomain' });
    // outside --local=/test/ and with no upstream, dnsmasq refuses
    expect(await lookup('example.com', 4, signal)).toMatchObject({ kind: 'failure', code: 'EREFUSED' });
  });

  it('expands a name into all of its A and AAAA records, merged with a literal', async () => {
    const resolver = new EndpointResolver(
      'multi.pathwire.test:51820, 192.0.2.11:51820, v4only.pathwire.test:51820',
      {
        servers: [dns.server],
        minTtlMs: 200,
      },
    );
    const t = track(resolver);
    await resolver.start();
    expect(new Set(t.keys())).toEqual(
      new Set([
        '192.0.2.11:51820',
        '192.0.2.12:51820',
        '192.0.2.13:51820',
        '[2001:db8::11]:51820',
        '[2001:db8::12]:51820',
        '[2001:db8::13]:51820',
        '203.0.113.9:51820',
      ]),
    );
    expect(resolver.endpoints().map((e) => e.family)).toEqual([6, 4, 6, 4, 6, 4, 4]);
    expect(resolver.get('192.0.2.11:51820')!.sources.map((s) => s.kind)).toEqual(['dns', 'literal']);
    expect(resolver.get('[2001:db8::12]:51820')).toMatchObject({ class: 'documentation', stale: false });
    expect(t.reports.find((r) => r.hostname === 'v4only.pathwire.test' && r.family === 6)?.outcome).toBe(
      'nodata',
    );
    resolver.close();
  });

  it('re-resolves on TTL expiry: a rewritten record replaces the old one without a restart', async () => {
    const resolver = new EndpointResolver('moving.pathwire.test:51820', {
      servers: [dns.server],
      minTtlMs: 200,
    });
    const t = track(resolver);
    await resolver.start();
    expect(t.keys()).toEqual(['[2001:db8::5]:51820', '198.51.100.5:51820']);
    const queriesBefore = dns.queries('moving.pathwire.test');
    await dns.setHosts(HOSTS.replace('198.51.100.5 moving', '198.51.100.6 moving'));
    await waitFor('the new address', () => t.keys().includes('198.51.100.6:51820'), 30_000);
    const change = t.changes.find((c) => c.added.some((e) => e.key === '198.51.100.6:51820'))!;
    expect(change.removed.map((e) => e.key)).toEqual(['198.51.100.5:51820']);
    expect(change.added[0]!.sources[0]).toMatchObject({
      kind: 'dns',
      item: 'moving.pathwire.test:51820',
      ttl: 1,
    });
    expect(t.keys()).toEqual(['[2001:db8::5]:51820', '198.51.100.6:51820']);
    expect(dns.queries('moving.pathwire.test')).toBeGreaterThan(queriesBefore);
    resolver.close();
    await dns.setHosts(HOSTS);
  });

  it('NXDOMAIN: nothing for an unknown name; a deleted name is dropped after the grace period', async () => {
    const resolver = new EndpointResolver('nope.pathwire.test:1, doomed.pathwire.test:1', {
      servers: [dns.server],
      minTtlMs: 200,
      negativeTtlMs: 200,
      nxdomainGraceMs: 1_000,
    });
    const t = track(resolver);
    await resolver.start();
    expect(t.reports.filter((r) => r.hostname === 'nope.pathwire.test').map((r) => r.outcome)).toEqual([
      'nxdomain',
      'nxdomain',
    ]);
    expect(t.keys()).toEqual(['198.51.100.7:1']);
    await dns.setHosts(HOSTS.replace('198.51.100.7 doomed.pathwire.test', ''));
    await waitFor('the stale mark', () => resolver.get('198.51.100.7:1')?.stale === true, 30_000);
    await waitFor('the removal', () => t.keys().length === 0, 30_000);
    expect(t.changes.at(-1)!.removed.map((e) => e.key)).toEqual(['198.51.100.7:1']);
    // Kept (stale) from the first NXDOMAIN until the grace period was over, by the resolver's own
    // clock (its report times), however late this test noticed either.
    const nxdomains = t.reports.filter(
      (r) => r.hostname === 'doomed.pathwire.test' && r.family === 4 && r.outcome === 'nxdomain',
    );
    expect(nxdomains[0]).toMatchObject({ addresses: ['198.51.100.7'], stale: true });
    const removal = nxdomains.find((r) => r.addresses.length === 0)!;
    expect(nxdomains.filter((r) => r.at < removal.at).every((r) => r.stale)).toBe(true);
    expect(removal.at - nxdomains[0]!.at).toBeGreaterThanOrEqual(1_000);
    resolver.close();
    await dns.setHosts(HOSTS);
  });

  it('a server that stops answering: the last good answer is kept, stale, and recovers', async () => {
    const resolver = new EndpointResolver('frozen.pathwire.test:51820', {
      servers: [dns.server],
      minTtlMs: 200,
      queryTimeoutMs: 400,
      retryMinMs: 200,
      retryMaxMs: 400,
    });
    const t = track(resolver);
    await resolver.start();
    expect(t.keys()).toEqual(['[2001:db8::10]:51820', '203.0.113.10:51820']);
    dns.pause();
    try {
      await waitFor('stale endpoints', () => resolver.endpoints().every((e) => e.stale), 30_000);
      expect(t.keys()).toEqual(['[2001:db8::10]:51820', '203.0.113.10:51820']);
      expect(t.reports.at(-1)).toMatchObject({ outcome: 'failure', code: 'ETIMEOUT', stale: true });
      expect(t.changes.at(-1)!.updated).toHaveLength(2);
      // still nothing removed after several more failed rounds
      await waitFor(
        'three failed rounds',
        () => resolver.status('frozen.pathwire.test').consecutiveFailures >= 3,
        30_000,
      );
      expect(t.keys()).toHaveLength(2);
    } finally {
      dns.resume();
    }
    await waitFor('fresh endpoints', () => resolver.endpoints().every((e) => !e.stale), 30_000);
    expect(t.changes.flatMap((c) => c.removed)).toEqual([]);
    resolver.close();
  });

  it('close() cancels a query the server is sitting on; nothing fires after it', async () => {
    dns.pause();
    try {
      // The query would time out only after 10 minutes: start() settling at all shows close()
      // cancelled it (how fast is not this test's business).
      const resolver = new EndpointResolver('multi.pathwire.test:1', {
        servers: [dns.server],
        queryTimeoutMs: 600_000,
      });
      const t = track(resolver);
      const ready = resolver.start();
      await new Promise((resolve) => setTimeout(resolve, 100));
      resolver.close();
      const guard = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 30_000).unref());
      expect(await Promise.race([ready.then(() => 'settled'), guard])).toBe('settled');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(t.changes.length + t.reports.length).toBe(0);
    } finally {
      dns.resume();
    }
  });
});
