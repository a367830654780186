/** The strategy alone, against the conformance suite's scripted engine (`FakeHost`). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry, StrategyError } from '@pathwire/strategy';
import { conformanceScenarios, FakeHost } from '@pathwire/strategy/conformance';
import { describe, expect, it } from 'vitest';
import { createHandshakeRace, RACE_FLOOR, register } from './index.js';

const V6 = '2001:db8::7';
const V4 = '203.0.113.7';
const LAN = '192.168.1.7';

function host(addresses = [V6, V4, LAN], options: Record<string, string> = {}): FakeHost {
  const fake = new FakeHost(createHandshakeRace(options), addresses);
  fake.deliver({ type: 'start' });
  return fake;
}

describe('handshake-race conformance', () => {
  for (const scenario of conformanceScenarios)
    it(`conforms: ${scenario.name}`, () => scenario.run(createHandshakeRace));
  it('conforms with other options too', () => {
    for (const scenario of conformanceScenarios)
      scenario.run(createHandshakeRace, { 'head-start': '25ms', suspicion: '500ms', backoff: '200ms' });
  });
});

describe('the race', () => {
  it('sends to the active endpoint at 0 and to every other candidate after the head start', () => {
    const fake = host();
    expect(fake.active).toBe(`[${V6}]:51820`);
    expect(fake.handshakeTargets('staged-packet')).toEqual([
      { endpoint: `[${V6}]:51820`, sendAt: 0 },
      { endpoint: `${V4}:51820`, sendAt: 10 },
      { endpoint: `${LAN}:51820`, sendAt: 10 },
    ]);
    // The first valid response wins: it becomes active.
    fake.advance(30);
    fake.deliver({ type: 'handshake-complete', endpoint: `${V4}:51820`, role: 'initiator', rttMs: 20 });
    expect(fake.active).toBe(`${V4}:51820`);
    // The next race gives the new active endpoint the head start.
    fake.advance(130_000);
    expect(fake.handshakeTargets('rekey')[0]).toEqual({ endpoint: `${V4}:51820`, sendAt: 130_000 });
  });

  it('takes its head start from the options', () => {
    const fake = host([V6, V4], { 'head-start': '40ms' });
    expect(fake.handshakeTargets('staged-packet').map((t) => t.sendAt)).toEqual([0, 40]);
  });

  it('races without the active endpoint at once when sending to it fails (ENETUNREACH)', () => {
    const fake = host();
    fake.handshakeTargets('staged-packet');
    fake.deliver({ type: 'handshake-complete', endpoint: `[${V6}]:51820`, role: 'initiator', rttMs: 10 });
    fake.advance(10_000);
    fake.endpoint(`[${V6}]:51820`)!.sendErrors = 1;
    const decisions = fake.deliver({ type: 'send-error', endpoint: `[${V6}]:51820`, code: 'ENETUNREACH' });
    // Data moves to the next candidate at once; the race decides.
    expect(fake.active).toBe(`${V4}:51820`);
    const race = decisions.find((d) => d.type === 'initiate');
    expect(race).toEqual({
      type: 'initiate',
      targets: [
        { endpoint: `${V4}:51820`, delayMs: 0 },
        { endpoint: `${LAN}:51820`, delayMs: 10 },
      ],
    });
  });

  it('does not start a second race while the first one covers other candidates', () => {
    const fake = host();
    fake.handshakeTargets('staged-packet');
    // The IPv6 copy fails at once; the IPv4 copy leaves at 10 ms anyway.
    const decisions = fake.deliver({ type: 'send-error', endpoint: `[${V6}]:51820`, code: 'ENETUNREACH' });
    expect(decisions.some((d) => d.type === 'initiate')).toBe(false);
    expect(fake.active).toBe(`${V4}:51820`);
  });

  it('suspicion: unanswered data for 1.5 s starts a race; an answer in time does not', () => {
    const fake = host();
    fake.handshakeTargets('staged-packet');
    fake.deliver({ type: 'handshake-complete', endpoint: `[${V6}]:51820`, role: 'initiator', rttMs: 10 });
    fake.advance(20_000);
    let unansweredSince: number | undefined = 20_000;
    const context = fake.context.bind(fake);
    fake.context = () => ({ ...context(), unansweredSince });
    fake.deliver({ type: 'unanswered', endpoint: `[${V6}]:51820`, since: 20_000 });
    expect(fake.wakeAt).toBe(21_500);
    const before = fake.initiations.length;
    fake.advance(21_499);
    expect(fake.initiations.length).toBe(before);
    fake.advance(21_500);
    expect(fake.initiations.length).toBe(before + 1);
    expect(fake.initiations.at(-1)!.targets[0]!.endpoint).toBe(`[${V6}]:51820`);
    // Another episode that is answered before its deadline: no race.
    fake.deliver({ type: 'handshake-complete', endpoint: `${V4}:51820`, role: 'initiator', rttMs: 15 });
    fake.advance(40_000);
    unansweredSince = 40_000;
    fake.deliver({ type: 'unanswered', endpoint: `${V4}:51820`, since: 40_000 });
    unansweredSince = undefined; // answered at 40,020
    const count = fake.initiations.length;
    fake.advance(45_000);
    expect(fake.initiations.length).toBe(count);
  });

  it('spaces the races it starts by RACE_FLOOR', () => {
    const fake = host();
    fake.handshakeTargets('staged-packet');
    fake.deliver({ type: 'handshake-complete', endpoint: `[${V6}]:51820`, role: 'initiator', rttMs: 10 });
    fake.advance(100);
    fake.endpoint(`[${V6}]:51820`)!.sendErrors = 1;
    const decisions = fake.deliver({ type: 'send-error', endpoint: `[${V6}]:51820`, code: 'ENETUNREACH' });
    expect(decisions.some((d) => d.type === 'initiate')).toBe(false);
    expect(fake.wakeAt).toBe(RACE_FLOOR);
    fake.advance(RACE_FLOOR);
    expect(fake.initiations.at(-1)!.at).toBe(RACE_FLOOR);
    expect(fake.initiations.at(-1)!.targets.map((t) => t.endpoint)).not.toContain(`[${V6}]:51820`);
  });

  it('backs off a failing candidate exponentially, capped, and retries it', () => {
    const fake = host([V6, V4], { backoff: '1s', 'retry-configured': '8s' });
    const v6 = `[${V6}]:51820`;
    const exclusions: number[] = [];
    for (let i = 0; i < 6; i++) {
      fake.deliver({ type: 'send-error', endpoint: v6, code: 'ENETUNREACH' });
      const failedAt = fake.now;
      // Find when v6 is raced again.
      let t = failedAt;
      for (; t < failedAt + 20_000; t += 250) {
        fake.now = t;
        if (fake.handshakeTargets('rekey').some((target) => target.endpoint === v6)) break;
      }
      exclusions.push(t - failedAt);
      fake.now = t + 1;
    }
    expect(exclusions).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('as responder, follows the initiation when it knows nothing better, and then races itself', () => {
    const fake = host();
    fake.advance(1_000);
    fake.deliver({
      type: 'handshake-complete',
      endpoint: `${LAN}:51820`,
      role: 'responder',
      rttMs: undefined,
    });
    expect(fake.active).toBe(`${LAN}:51820`);
    const before = fake.initiations.length;
    fake.advance(3_000);
    expect(fake.initiations.length).toBe(before + 1);
    expect(fake.initiations.at(-1)!.targets[0]!.endpoint).toBe(`${LAN}:51820`);
  });

  it('as responder, keeps an active path its own race vouches for (no ping-pong)', () => {
    const fake = host();
    fake.handshakeTargets('staged-packet');
    fake.advance(20);
    fake.deliver({ type: 'handshake-complete', endpoint: `${V4}:51820`, role: 'initiator', rttMs: 20 });
    fake.endpoint(`${V4}:51820`)!.lastReceivedAt = 20;
    fake.advance(1_000);
    fake.endpoint(`${V4}:51820`)!.lastReceivedAt = 1_000;
    fake.deliver({
      type: 'handshake-complete',
      endpoint: `[${V6}]:51820`,
      role: 'responder',
      rttMs: undefined,
    });
    expect(fake.active).toBe(`${V4}:51820`);
    fake.deliver({ type: 'authenticated-packet', endpoint: `[${V6}]:51820` });
    expect(fake.active).toBe(`${V4}:51820`);
    // Our evaluation is fresh: no race of our own follows.
    const before = fake.initiations.length;
    fake.advance(5_000);
    expect(fake.initiations.length).toBe(before);
  });

  it('re-evaluates every retry-configured while traffic flows, not when idle', () => {
    const fake = host([V4, LAN], { 'retry-configured': '30s' });
    fake.handshakeTargets('staged-packet');
    fake.advance(20);
    fake.deliver({ type: 'handshake-complete', endpoint: `${V4}:51820`, role: 'initiator', rttMs: 20 });
    const context = fake.context.bind(fake);
    fake.context = () => ({ ...context(), sessionEstablishedAt: 20 });
    const v4 = fake.endpoint(`${V4}:51820`)!;
    v4.lastSentAt = 25_000;
    const before = fake.initiations.length;
    fake.advance(34_000);
    expect(fake.initiations.length).toBe(before + 1);
    expect(fake.initiations.at(-1)!.targets.map((t) => t.endpoint)).toEqual([`${V4}:51820`, `${LAN}:51820`]);
    // Idle from now on: no more races.
    fake.advance(200_000);
    expect(fake.initiations.length).toBe(before + 1);
  });
});

describe('options and registry', () => {
  it('registers handshake-race', () => {
    const registry = register(createRegistry());
    expect(registry.names()).toEqual(['handshake-race', 'roaming']);
    const strategy = registry.create('handshake-race', { 'head-start': '10ms', suspicion: '1.5s' });
    expect(strategy.name).toBe('handshake-race');
    expect(strategy.specificationVersion).toBe('v1');
    expect(strategy.describe?.()).toMatchObject({
      options: { headStartMs: 10, suspicionMs: 1500, backoffMs: 1000, retryConfiguredMs: 30000 },
    });
  });

  it('refuses unknown options and bad durations, naming them', () => {
    expect(() => createHandshakeRace({ headstart: '10ms' })).toThrow(
      'strategy handshake-race has no option "headstart" (known: head-start, suspicion, backoff, retry-configured)',
    );
    expect(() => createHandshakeRace({ suspicion: 'soon' })).toThrow(
      'option suspicion: "soon" is not a duration',
    );
    expect(() => createHandshakeRace({ 'head-start': '6s' })).toThrow(StrategyError);
    expect(() => createHandshakeRace({ 'retry-configured': '10ms' })).toThrow('option retry-configured');
  });

  it('imports no node: module outside its bench and tests (it runs in browsers)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'bench' && name !== 'test-support') walk(path);
        } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(path);
      }
    };
    walk(new URL('.', import.meta.url).pathname);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/from 'node:/);
  });
});
