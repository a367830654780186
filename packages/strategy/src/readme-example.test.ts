/** The README's worked example is a real strategy: it compiles, passes the conformance suite, and does what the README says. */
import { describe, expect, it } from 'vitest';
import { conformanceScenarios, FakeHost } from './conformance/index.js';
import { createPreferFirst } from './test-support/prefer-first.js';

describe('the README example strategy (prefer-first)', () => {
  for (const scenario of conformanceScenarios)
    it(`conforms: ${scenario.name}`, () => scenario.run(createPreferFirst));

  it('races every endpoint after `silence` of unanswered data and follows the winner', () => {
    const host = new FakeHost(createPreferFirst({ silence: '1s' }), ['192.0.2.7', '198.51.100.7']);
    host.deliver({ type: 'start' });
    expect(host.active).toBe('192.0.2.7:51820');
    host.deliver({ type: 'unanswered', endpoint: '192.0.2.7:51820', since: 0 });
    host.unansweredSince = 0;
    host.advance(1_000);
    expect(host.initiations.at(-1)?.targets.map((t) => t.endpoint)).toEqual([
      '192.0.2.7:51820',
      '198.51.100.7:51820',
    ]);
    host.deliver({
      type: 'handshake-complete',
      endpoint: '198.51.100.7:51820',
      role: 'initiator',
      rttMs: 12,
    });
    expect(host.active).toBe('198.51.100.7:51820');
  });
});
