import { describe, expect, it } from 'vitest';
import { validateDecisions } from './validate.js';

const set = new Set(['192.0.2.1:51820', '[2001:db8::1]:51820']);
const context = { endpoint: (key: string) => (set.has(key) ? key : undefined) };

describe('validateDecisions (SPEC.md §4)', () => {
  it('accepts the four v1 decisions naming known endpoints, and ignores extra properties', () => {
    const answer = [
      { type: 'activate', endpoint: '192.0.2.1:51820', hint: 'ignored' },
      {
        type: 'initiate',
        targets: [
          { endpoint: '192.0.2.1:51820', delayMs: 0 },
          { endpoint: '[2001:db8::1]:51820', delayMs: 10 },
        ],
      },
      { type: 'initiate', targets: [] },
      { type: 'probe', endpoint: '[2001:db8::1]:51820' },
      { type: 'wake', at: 5 },
    ];
    expect(validateDecisions(answer, context)).toEqual({ ok: true, decisions: answer });
  });

  it.each([
    [{}, 'handle() must return an array of decisions'],
    [
      [{ type: 'activate', endpoint: '10.9.9.9:1' }],
      'activate names "10.9.9.9:1", which is not in the endpoint set',
    ],
    [[{ type: 'probe', endpoint: 7 }], 'probe: endpoint 7 is not a string'],
    [[{ type: 'wake', at: Number.NaN }], 'wake at null is not finite'],
    [
      [{ type: 'initiate', targets: [{ endpoint: '192.0.2.1:51820', delayMs: -1 }] }],
      'initiate: delay -1 for 192.0.2.1:51820 is not a finite non-negative number',
    ],
    [
      [
        {
          type: 'initiate',
          targets: [
            { endpoint: '192.0.2.1:51820', delayMs: 0 },
            { endpoint: '192.0.2.1:51820', delayMs: 5 },
          ],
        },
      ],
      'initiate: 192.0.2.1:51820 listed twice',
    ],
    [[{ type: 'teleport' }], 'unknown decision {"type":"teleport"}'],
    [[null], 'decision null is not an object'],
  ])('rejects %j: %s', (answer, reason) => {
    expect(validateDecisions(answer, context)).toEqual({ ok: false, reason });
  });
});
