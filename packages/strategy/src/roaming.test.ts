import { describe, expect, it } from 'vitest';
import { ConformanceFailure, conformanceScenarios, FakeHost } from './conformance/index.js';
import { createRegistry } from './registry.js';
import { createRoaming } from './roaming.js';
import type { StrategyV1 } from './v1/strategy.js';

describe('roaming strategy', () => {
  for (const scenario of conformanceScenarios)
    it(`conforms: ${scenario.name}`, () => scenario.run(createRoaming));

  it('activates the first configured endpoint, then follows authenticated sources', () => {
    const host = new FakeHost(createRoaming({}), ['192.0.2.1', '198.51.100.1']);
    host.deliver({ type: 'start' });
    expect(host.active).toBe('192.0.2.1:51820');
    host.deliver({ type: 'authenticated-packet', endpoint: '198.51.100.1:51820' });
    expect(host.active).toBe('198.51.100.1:51820');
    // Handshakes go to the active endpoint (no initiate decision: the engine's default).
    expect(host.handshakeTargets('retry')).toEqual([{ endpoint: '198.51.100.1:51820', sendAt: 0 }]);
  });

  it('refuses options it does not know', () => {
    expect(() => createRoaming({ 'head-start': '10ms' })).toThrow(
      'strategy roaming has no option "head-start" (known: none)',
    );
  });
});

describe('conformance suite', () => {
  it('catches a strategy that activates an endpoint outside the set', () => {
    const rogue: StrategyV1 = {
      specificationVersion: 'v1',
      name: 'rogue',
      handle: () => [{ type: 'activate', endpoint: '10.9.9.9:1' }],
    };
    const failures = conformanceScenarios.filter((scenario) => {
      try {
        scenario.run(() => rogue);
        return false;
      } catch (error) {
        return error instanceof ConformanceFailure;
      }
    });
    expect(failures.length).toBeGreaterThan(3);
  });

  it('catches a strategy that throws', () => {
    const thrower: StrategyV1 = {
      specificationVersion: 'v1',
      name: 'thrower',
      handle: (event) => {
        if (event.type === 'timer') throw new Error('boom');
        return [];
      },
    };
    expect(() => conformanceScenarios[0]!.run(() => thrower)).toThrow('handle(timer) threw: boom');
  });
});

describe('registry', () => {
  it('creates registered strategies and names unknown ones', () => {
    const registry = createRegistry();
    expect(registry.create('roaming').name).toBe('roaming');
    expect(() => registry.create('telepathy')).toThrow('unknown strategy "telepathy" (known: roaming)');
  });

  it('refuses a strategy of an unsupported specification version', () => {
    const registry = createRegistry().register(
      'future',
      () => ({ specificationVersion: 'v9', name: 'future', handle: () => [] }) as unknown as StrategyV1,
    );
    expect(() => registry.create('future')).toThrow('implements specification v9');
  });
});
