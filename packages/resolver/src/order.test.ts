import { describe, expect, it } from 'vitest';
import { orderCandidates } from './order.js';

const list = (spec: string) =>
  spec.split(' ').map((s) => ({ family: (s[0] === '6' ? 6 : 4) as 4 | 6, id: s }));
const ids = (xs: { id: string }[]) => xs.map((x) => x.id).join(' ');

describe('orderCandidates (RFC 8305 §4)', () => {
  it('interleaves, IPv6 first by default, keeping order within a family', () => {
    expect(ids(orderCandidates(list('4a 4b 4c 6a 6b')))).toBe('6a 4a 6b 4b 4c');
  });

  it('honours the First Address Family Count', () => {
    expect(ids(orderCandidates(list('6a 6b 6c 4a 4b 4c'), { firstFamilyCount: 2 }))).toBe(
      '6a 6b 4a 6c 4b 4c',
    );
  });

  it('honours the preferred family', () => {
    expect(ids(orderCandidates(list('6a 6b 4a 4b'), { preferredFamily: 4 }))).toBe('4a 6a 4b 6b');
  });

  it('copes with one family, or none', () => {
    expect(ids(orderCandidates(list('4a 4b')))).toBe('4a 4b');
    expect(ids(orderCandidates(list('6a 6b'), { preferredFamily: 4 }))).toBe('6a 6b');
    expect(orderCandidates([])).toEqual([]);
  });

  it('does not modify its input', () => {
    const input = list('4a 6a');
    orderCandidates(input);
    expect(ids(input)).toBe('4a 6a');
  });
});
