import { createRegistry } from '@pathwire/strategy';
import { conformanceScenarios, FakeHost } from '@pathwire/strategy/conformance';
import { describe, expect, it } from 'vitest';
import { createHeartbeatProbe, DEFAULT_OPTIONS, OWN_OPTION_NAMES, register } from './index.js';

const A = '192.0.2.1';
const B = '198.51.100.1';
const C = '203.0.113.1';
const key = (address: string) => `${address}:51820`;

/**
 * A FakeHost whose peer answers PINGs after each path's RTT unless the path is blackholed, and
 * which keeps the tunnel in use (data sent on the active endpoint every 100 ms, answered unless
 * the active path is blackholed).
 */
class World {
  readonly host: FakeHost;
  readonly rtt: Record<string, number> = { [key(A)]: 20, [key(B)]: 40, [key(C)]: 60 };
  readonly dead = new Set<string>();
  private readonly replies: { at: number; endpoint: string; sentAt: number }[] = [];
  private probed = 0;
  private lastActive: string | undefined;
  busy = true;

  constructor(options: Record<string, string> = {}, support: 'yes' | 'unknown' | 'no' = 'yes') {
    this.host = new FakeHost(createHeartbeatProbe(options), [A, B, C]);
    this.host.probeSupport = support;
    this.host.deliver({ type: 'start' });
    this.host.sessionEstablishedAt = 0;
    this.host.deliver({ type: 'handshake-complete', endpoint: key(A), role: 'initiator', rttMs: 20 });
  }

  /** Runs to `until` in 10 ms steps. */
  run(until: number): void {
    const host = this.host;
    while (host.now < until) {
      const now = host.now + 10;
      host.advance(now);
      // New probes get their replies scheduled.
      for (; this.probed < host.probes.length; this.probed++) {
        const endpoint = host.probes[this.probed]!;
        if (!this.dead.has(endpoint))
          this.replies.push({ at: now + this.rtt[endpoint]!, endpoint, sentAt: now });
      }
      for (let i = 0; i < this.replies.length; ) {
        const reply = this.replies[i]!;
        if (reply.at > now) {
          i++;
          continue;
        }
        this.replies.splice(i, 1);
        const view = host.endpoint(reply.endpoint)!;
        view.lastReceivedAt = now;
        host.deliver({ type: 'probe-reply', endpoint: reply.endpoint, rttMs: now - reply.sentAt });
      }
      // As the engine: a new active path starts its unanswered clock over.
      if (host.active !== this.lastActive) host.unansweredSince = undefined;
      this.lastActive = host.active;
      if (this.busy && now % 100 === 0 && host.active) {
        const active = host.endpoint(host.active)!;
        active.lastSentAt = now;
        // As the engine: the first data packet sent after anything was received starts an
        // `unanswered` episode (the reply ends it).
        if (host.unansweredSince === undefined) {
          host.unansweredSince = now;
          host.deliver({ type: 'unanswered', endpoint: host.active, since: now });
        }
        if (!this.dead.has(host.active) && !this.dead.has(`dup:${host.active}`)) {
          active.lastReceivedAt = now + this.rtt[host.active]!;
          host.lastAuthenticatedAt = now;
          host.unansweredSince = undefined;
        }
      }
    }
  }
}

describe('heartbeat-probe: the contract', () => {
  for (const scenario of conformanceScenarios)
    it(`conforms: ${scenario.name}`, () => scenario.run(createHeartbeatProbe));

  it('registers as heartbeat-probe and refuses unknown or malformed options, naming them', () => {
    const registry = register(createRegistry());
    expect(registry.create('heartbeat-probe').name).toBe('heartbeat-probe');
    expect(() => createHeartbeatProbe({ 'suspect-flor': '1s' })).toThrow('no option "suspect-flor"');
    expect(() => createHeartbeatProbe({ 'down-after': 'three' })).toThrow(
      'option down-after: "three" is not a whole number',
    );
    expect(() => createHeartbeatProbe({ 'switch-margin': '150%' })).toThrow('option switch-margin');
    expect(() => createHeartbeatProbe({ 'suspect-floor': '2s', 'suspect-cap': '1s' })).toThrow('suspect-cap');
  });

  it('reports every constant through describe(), with the overrides applied', () => {
    const strategy = createHeartbeatProbe({
      'switch-margin': '20%',
      'standby-interval': '2s',
      'head-start': '5ms',
    });
    const options = strategy.describe!().options as Record<string, unknown>;
    expect(options.switchMargin).toBe(0.2);
    expect(options.standbyIntervalMs).toBe(2_000);
    expect(options.race).toEqual({ 'head-start': '5ms' });
    expect(Object.keys(options).length).toBe(Object.keys(DEFAULT_OPTIONS).length);
    expect(OWN_OPTION_NAMES.length).toBe(Object.keys(DEFAULT_OPTIONS).length - 1);
  });
});

describe('heartbeat-probe against a peer that has not answered a HELLO', () => {
  it('sends only HELLOs, only on the active endpoint, and races handshakes like handshake-race', () => {
    const world = new World({}, 'unknown');
    world.run(60_000);
    const probes = world.host.probes;
    expect(probes.length).toBeGreaterThan(0);
    expect(new Set(probes)).toEqual(new Set([key(A)]));
    expect(probes.length).toBeLessThanOrEqual(7); // one per hello-interval (10 s)
    expect(world.host.duplicate).toBeUndefined();
    const targets = world.host.handshakeTargets('rekey');
    expect(targets.map((t) => t.endpoint)).toEqual([key(A), key(B), key(C)]);
  });

  it('sends nothing at all to a peer known not to answer (probeSupport no)', () => {
    const world = new World({}, 'no');
    world.run(60_000);
    expect(world.host.probes).toEqual([]);
  });
});

describe('heartbeat-probe with a pathwire peer', () => {
  it('probes standbys while in use (two best every 5 s ± 20 %), never the busy healthy active path', () => {
    const world = new World({ 'standby-count': '1' });
    world.run(120_000);
    const count = (endpoint: string) => world.host.probes.filter((p) => p === endpoint).length;
    expect(count(key(A))).toBe(0);
    expect(count(key(B))).toBeGreaterThanOrEqual(19); // 120 s / 5 s · (1 ± 0.2)
    expect(count(key(B))).toBeLessThanOrEqual(30);
    expect(count(key(C))).toBeGreaterThanOrEqual(3); // every 25 s
    expect(count(key(C))).toBeLessThanOrEqual(7);
    expect(world.host.active).toBe(key(A));
  });

  it('stops probing once the tunnel is idle', () => {
    const world = new World();
    world.run(10_000);
    world.busy = false;
    world.run(60_000); // idle-after: 45 s
    const before = world.host.probes.length;
    world.run(200_000);
    expect(world.host.probes.length).toBe(before);
  });

  it('a silent active path: SUSPECT after 250 ms (PINGs everywhere, data duplicated), DOWN after 3 misses, fail-over', () => {
    const world = new World();
    world.run(20_000);
    const probesBefore = world.host.probes.length;
    world.dead.add(key(A));
    world.run(20_100); // the next data packet goes unanswered at 20 100
    expect(world.host.duplicate).toBeUndefined();
    world.run(20_360);
    expect(world.host.duplicate).toBe(key(B)); // suspect: duplicated onto the best healthy standby
    const suspectProbes = world.host.probes.slice(probesBefore);
    expect(suspectProbes).toContain(key(A));
    expect(suspectProbes).toContain(key(B));
    expect(world.host.active).toBe(key(A));
    world.run(21_200);
    expect(world.host.active).toBe(key(B)); // DOWN: failed over
    expect(world.host.duplicate).toBeUndefined();
    const state = world.host.strategy.describe!() as {
      paths: Record<string, { state: string }>;
      lastSwitch: { reason: string; at: number };
    };
    expect(state.paths[key(A)]!.state).toBe('down');
    expect(state.lastSwitch.reason).toBe('down');
    expect(state.lastSwitch.at).toBeLessThanOrEqual(20_100 + 250 + 3 * 100 + 30);
  });

  it('a false alarm (PING answered) ends the episode without a switch and stops duplication', () => {
    const world = new World();
    world.run(20_000);
    world.dead.add(`dup:${key(A)}`); // data unanswered, but PINGs answered: one-way traffic
    world.run(21_000);
    expect(world.host.active).toBe(key(A));
    expect(world.host.duplicate).toBeUndefined();
    const state = world.host.strategy.describe!() as { suspicionLevel: number };
    expect(state.suspicionLevel).toBeGreaterThan(0);
  });

  it('moves to a better standby only after the margin held ≥ 15 s over ≥ 3 checks', () => {
    const world = new World();
    world.rtt[key(A)] = 20;
    world.run(30_000);
    expect(world.host.active).toBe(key(A));
    // The active path gets slow (an RTT jump): its PINGs measure it during episodes; here we
    // feed its estimator directly as the engine would from a handshake RTT.
    world.rtt[key(A)] = 200;
    world.host.deliver({ type: 'handshake-complete', endpoint: key(A), role: 'initiator', rttMs: 200 });
    const jumpAt = world.host.now;
    let movedAt: number | undefined;
    while (world.host.now < jumpAt + 120_000 && movedAt === undefined) {
      world.run(world.host.now + 1_000);
      if (world.host.active !== key(A)) movedAt = world.host.now;
    }
    // The windowed minimum still remembers 20 ms for rtt-window (30 s); then 15 s of checks.
    expect(movedAt).toBeDefined();
    expect(movedAt! - jumpAt).toBeGreaterThanOrEqual(15_000);
    expect(world.host.active).toBe(key(B));
  });

  it('two near-equal standbys: no switch away from a working active path', () => {
    const world = new World();
    world.rtt[key(A)] = 40;
    world.rtt[key(B)] = 38; // 5 % better: inside the margin
    world.run(600_000);
    expect(world.host.active).toBe(key(A));
    const state = world.host.strategy.describe!() as { switches: Record<string, number> };
    expect(state.switches.better ?? 0).toBe(0);
  });

  it('a DOWN path needs 3 PONGs to return, 6 after it went DOWN twice (doubling penalty)', () => {
    const world = new World({ 'standby-interval': '1s' });
    world.run(10_000);
    world.dead.add(key(A));
    world.run(12_000);
    expect(world.host.active).toBe(key(B));
    world.dead.delete(key(A));
    const describeA = () =>
      (
        world.host.strategy.describe!() as {
          paths: Record<string, { state: string; downs: number; pongsToRecover?: number }>;
        }
      ).paths[key(A)]!;
    expect(describeA().pongsToRecover).toBe(3);
    world.run(16_500);
    expect(describeA().state).toBe('up');
    // Kill B now: A takes over; then A dies again: it goes DOWN a second time.
    world.dead.add(key(B));
    world.run(18_000);
    expect(world.host.active).not.toBe(key(B));
    world.dead.delete(key(B));
    world.dead.add(key(A));
    world.dead.add(key(C));
    world.run(25_000);
    expect(describeA().downs).toBe(2);
    world.dead.delete(key(A));
    world.run(27_000);
    expect(describeA().state).toBe('down'); // ~2 PONGs so far: 6 needed
    world.run(35_000);
    expect(describeA().state).toBe('up');
  });

  it('replays exactly under the same randomness', () => {
    const run = () => {
      const world = new World();
      world.run(30_000);
      world.dead.add(key(A));
      world.run(60_000);
      return JSON.stringify(world.host.log.map((entry) => entry.decisions));
    };
    expect(run()).toBe(run());
  });
});
