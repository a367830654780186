import { createRegistry, type StrategyContext } from '@pathwire/strategy';
import { conformanceScenarios, FakeHost } from '@pathwire/strategy/conformance';
import { describe, expect, it } from 'vitest';
import type { OracleNotice } from './commands.js';
import { createUserspaceOracle, register, type UserspaceOracle } from './index.js';

const ADDRESSES = ['192.0.2.7', '198.51.100.7', '2001:db8::7'];

describe('conformance', () => {
  for (const scenario of conformanceScenarios) {
    it(`handshake-race fallback: ${scenario.name}`, () => scenario.run(createUserspaceOracle));
    it(`roaming fallback: ${scenario.name}`, () =>
      scenario.run(createUserspaceOracle, { fallback: 'roaming' }));
  }
});

/** A FakeHost whose context can claim probe support and a session. */
class Host extends FakeHost {
  probeSupport: StrategyContext['probeSupport'] = 'unknown';
  session: number | undefined = 0;
  lastInitiationAt: number | undefined;
  readonly notices: OracleNotice[] = [];

  constructor(options: Record<string, string> = { fallback: 'roaming' }) {
    const strategy = createUserspaceOracle(options);
    super(strategy, ADDRESSES);
    strategy.onNotice = (notice) => this.notices.push(notice);
  }

  override context(): StrategyContext {
    return {
      ...super.context(),
      probeSupport: this.probeSupport,
      sessionEstablishedAt: this.session,
      lastInitiationAt: this.lastInitiationAt,
    };
  }

  get oracle(): UserspaceOracle {
    return this.strategy as UserspaceOracle;
  }

  select(index: number, mode: 'prefer' | 'pin', leaseMs: number) {
    return this.deliver({
      type: 'command',
      command: { op: 'select', endpoint: this.key(index), mode, until: this.now + leaseMs },
    });
  }
}

function started(options?: Record<string, string>): Host {
  const host = new Host(options);
  host.deliver({ type: 'start' });
  host.deliver({ type: 'handshake-complete', endpoint: host.key(0), role: 'initiator', rttMs: 10 });
  return host;
}

describe('select', () => {
  it('prefer: the endpoint is active at once, handshakes go to it alone, the fallback cannot move the peer', () => {
    const host = started();
    expect(host.active).toBe(host.key(0));
    host.select(1, 'prefer', 10_000);
    expect(host.active).toBe(host.key(1));
    expect(host.notices).toContainEqual({ type: 'activating', endpoint: host.key(1), cause: 'oracle' });
    // roaming would follow a responder handshake from endpoint 2: the order keeps endpoint 1
    host.deliver({ type: 'handshake-complete', endpoint: host.key(2), role: 'responder', rttMs: undefined });
    host.deliver({ type: 'authenticated-packet', endpoint: host.key(2) });
    expect(host.active).toBe(host.key(1));
    expect(host.handshakeTargets('retry', 2).map((t) => t.endpoint)).toEqual([host.key(1)]);
    expect(host.oracle.describe()).toMatchObject({
      owner: 'oracle',
      order: { endpoint: host.key(1), mode: 'prefer' },
    });
  });

  it('prefer yields to the fallback while its endpoint is DOWN; pin does not', () => {
    for (const mode of ['prefer', 'pin'] as const) {
      const host = started();
      host.select(1, mode, 10_000);
      const down = host.endpoint(host.key(1)) as { sendErrors: number; state: string };
      down.sendErrors = 2;
      down.state = 'down'; // as the engine reports an endpoint with send errors
      host.deliver({ type: 'send-error', endpoint: host.key(1), code: 'ENETUNREACH' });
      host.deliver({
        type: 'handshake-complete',
        endpoint: host.key(2),
        role: 'responder',
        rttMs: undefined,
      });
      expect(host.active).toBe(mode === 'prefer' ? host.key(2) : host.key(1));
      if (mode === 'prefer') {
        // it recovers: the order decides again
        down.sendErrors = 0;
        down.state = 'up';
        host.deliver({ type: 'authenticated-packet', endpoint: host.key(1) });
        expect(host.active).toBe(host.key(1));
      }
    }
  });

  it('ignores orders naming endpoints it does not have, lapsed orders and malformed commands', () => {
    const host = started();
    host.deliver({
      type: 'command',
      command: { op: 'select', endpoint: '203.0.113.1:1', mode: 'pin', until: 1e9 },
    });
    host.deliver({
      type: 'command',
      command: { op: 'select', endpoint: host.key(1), mode: 'pin', until: host.now },
    });
    host.deliver({
      type: 'command',
      command: { op: 'select', endpoint: host.key(1), mode: 'boss', until: 1e9 },
    });
    host.deliver({ type: 'command', command: 'select' });
    expect(host.active).toBe(host.key(0));
    expect(host.oracle.describe()).toMatchObject({ owner: 'fallback' });
  });
});

describe('leases', () => {
  it('a lease lapses on the engine clock: the fallback owns the peer again and the lapse is reported', () => {
    const host = started();
    host.select(1, 'pin', 5_000);
    expect(host.wakeAt).toBe(5_000);
    host.advance(4_999);
    expect(host.oracle.describe()).toMatchObject({ owner: 'oracle' });
    host.advance(5_000);
    expect(host.notices).toContainEqual({ type: 'lease-ended', reason: 'expired' });
    expect(host.oracle.describe()).toMatchObject({
      owner: 'fallback',
      lastLeaseEnded: { reason: 'expired' },
    });
    host.deliver({ type: 'handshake-complete', endpoint: host.key(2), role: 'responder', rttMs: undefined });
    expect(host.active).toBe(host.key(2)); // roaming decides again
  });

  it('release (writer gone) hands the peer back at once, without a second lapse notice', () => {
    const host = started();
    host.select(1, 'pin', 60_000);
    host.deliver({ type: 'command', command: { op: 'release', reason: 'writer-disconnected' } });
    expect(host.oracle.describe()).toMatchObject({
      owner: 'fallback',
      lastLeaseEnded: { reason: 'writer-disconnected' },
    });
    host.advance(120_000);
    expect(host.notices.filter((n) => n.type === 'lease-ended')).toEqual([]);
    host.deliver({ type: 'handshake-complete', endpoint: host.key(2), role: 'responder', rttMs: undefined });
    expect(host.active).toBe(host.key(2));
  });

  it("keeps the fallback's own wake-ups (handshake-race) alongside the lease deadline", () => {
    const host = started({});
    host.deliver({ type: 'unanswered', endpoint: host.key(0), since: host.now });
    const fallbackWake = host.wakeAt;
    expect(fallbackWake).toBeDefined();
    host.select(1, 'prefer', 600_000);
    expect(host.wakeAt).toBe(Math.min(fallbackWake!, 600_000));
  });
});

describe('probe', () => {
  it('a pathwire peer: an in-band probe via the endpoint, its answer reported, nothing moves', () => {
    const host = started();
    host.probeSupport = 'yes';
    host.deliver({ type: 'command', command: { op: 'probe', endpoint: host.key(2) } });
    expect(host.probes).toEqual([host.key(2)]);
    host.deliver({ type: 'probe-reply', endpoint: host.key(2), rttMs: 7 });
    expect(host.notices).toContainEqual({
      type: 'probe-result',
      endpoint: host.key(2),
      via: 'probe',
      rttMs: 7,
    });
    expect(host.active).toBe(host.key(0));
  });

  it('an unknown peer is probed in band only on the active endpoint (a stock peer would roam)', () => {
    const host = started();
    host.deliver({ type: 'command', command: { op: 'probe', endpoint: host.key(0) } });
    host.deliver({ type: 'command', command: { op: 'probe', endpoint: host.key(1) } });
    expect(host.probes).toEqual([host.key(0)]);
    expect(host.initiations.map((i) => i.targets.map((t) => t.endpoint))).toEqual([[host.key(1)]]);
  });

  it('a stock peer: a handshake initiation via the endpoint; its RTT is reported and the active endpoint stays', () => {
    const host = started({}); // handshake-race would make the winner active
    host.probeSupport = 'no';
    host.deliver({ type: 'command', command: { op: 'probe', endpoint: host.key(1) } });
    expect(host.initiations.at(-1)!.targets).toEqual([{ endpoint: host.key(1), sendAt: host.now }]);
    host.deliver({ type: 'handshake-complete', endpoint: host.key(1), role: 'initiator', rttMs: 23 });
    expect(host.notices).toContainEqual({
      type: 'probe-result',
      endpoint: host.key(1),
      via: 'handshake',
      rttMs: 23,
    });
    expect(host.active).toBe(host.key(0));
  });

  it('reports why a probe could not go: no session, initiation rate limit', () => {
    const host = started();
    host.probeSupport = 'yes';
    host.session = undefined;
    host.deliver({ type: 'command', command: { op: 'probe', endpoint: host.key(1) } });
    host.probeSupport = 'no';
    host.now = 1000;
    host.lastInitiationAt = 900;
    host.deliver({ type: 'command', command: { op: 'probe', endpoint: host.key(1) } });
    expect(
      host.notices.filter((n) => n.type === 'probe-result').map((n) => n.type === 'probe-result' && n.error),
    ).toEqual(['no-session', 'rate-limited']);
    expect(host.probes).toEqual([]);
  });
});

describe('options', () => {
  it('registers by name and passes the other options to the fallback, which checks them', () => {
    const registry = register(createRegistry());
    const create = (options: Record<string, string>) =>
      registry.create('userspace-oracle', options) as UserspaceOracle;
    expect(create({ 'head-start': '20ms' }).fallback.name).toBe('handshake-race');
    expect(create({ fallback: 'roaming' }).fallback.name).toBe('roaming');
    expect(() => create({ fallback: 'magic' })).toThrow('option fallback: "magic"');
    expect(() => create({ 'head-start': 'soon' })).toThrow('head-start');
  });
});
