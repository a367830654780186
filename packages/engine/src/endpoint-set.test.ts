/** Unit tests of the endpoint set (DESIGN.md, "The endpoint model"). */
import { describe, expect, it } from 'vitest';
import { MAX_LEARNED_ENDPOINTS } from './constants.js';
import { EndpointSet } from './endpoint-set.js';

const ep = (address: string, port = 51820) => ({ address, port });

describe('EndpointSet', () => {
  it('lists configured endpoints first in their order, then learned ones by recency', () => {
    const set = new EndpointSet();
    set.setConfigured([ep('198.51.100.2'), ep('2001:db8::1'), ep('198.51.100.1')]);
    set.learn(ep('203.0.113.1'), 10);
    set.learn(ep('203.0.113.2'), 20);
    expect(set.list.map((r) => r.key)).toEqual([
      '198.51.100.2:51820',
      '[2001:db8::1]:51820',
      '198.51.100.1:51820',
      '203.0.113.2:51820',
      '203.0.113.1:51820',
    ]);
    expect(set.get('[2001:db8::1]:51820')!.family).toBe(6);
    expect(set.get('198.51.100.2:51820')!.origin).toBe('configured');
    expect(set.get('203.0.113.1:51820')!.origin).toBe('learned');
  });

  it('reports what changed and ignores duplicates', () => {
    const set = new EndpointSet();
    expect(set.setConfigured([ep('198.51.100.1'), ep('198.51.100.1'), ep('198.51.100.2')])).toEqual({
      added: ['198.51.100.1:51820', '198.51.100.2:51820'],
      removed: [],
    });
    expect(set.size).toBe(2);
    expect(set.setConfigured([ep('198.51.100.2'), ep('198.51.100.3')])).toEqual({
      added: ['198.51.100.3:51820'],
      removed: ['198.51.100.1:51820'],
    });
    const again = set.learn(ep('198.51.100.2'), 5);
    expect(again.change).toBeUndefined();
    expect(again.record.origin).toBe('configured');
  });

  it('never evicts configured endpoints, however many are learned', () => {
    const set = new EndpointSet(3);
    set.setConfigured([ep('198.51.100.1'), ep('198.51.100.2')]);
    for (let i = 0; i < 20; i++) set.learn(ep(`203.0.113.${i}`), 100 + i);
    expect(set.get('198.51.100.1:51820')).toBeDefined();
    expect(set.get('198.51.100.2:51820')).toBeDefined();
    expect(set.list.filter((r) => r.origin === 'configured')).toHaveLength(2);
    expect(set.list.filter((r) => r.origin === 'learned').map((r) => r.key)).toEqual([
      '203.0.113.19:51820',
      '203.0.113.18:51820',
      '203.0.113.17:51820',
    ]);
  });

  it('evicts the least recently used learned endpoint, not the most recently used one', () => {
    const set = new EndpointSet(3);
    const first = set.learn(ep('203.0.113.1'), 1).record;
    set.learn(ep('203.0.113.2'), 2);
    set.learn(ep('203.0.113.3'), 3);
    // The first one is used again: now the second is the least recently used.
    first.noteReceived(10);
    const { change } = set.learn(ep('203.0.113.4'), 11);
    expect(change).toEqual({ added: ['203.0.113.4:51820'], removed: ['203.0.113.2:51820'] });
    expect(set.get('203.0.113.1:51820')).toBe(first);
  });

  it('never evicts the endpoint it is told to keep (the active one), even when it is the least recently used', () => {
    const set = new EndpointSet(2);
    set.learn(ep('203.0.113.1'), 1);
    set.learn(ep('203.0.113.2'), 2);
    for (let i = 3; i <= 10; i++) {
      const { change } = set.learn(ep(`203.0.113.${i}`), i, '203.0.113.2:51820');
      expect(change!.removed).not.toContain('203.0.113.2:51820');
      expect(set.get('203.0.113.2:51820')).toBeDefined();
    }
    expect(set.get('203.0.113.1:51820')).toBeUndefined();
    expect(set.get('203.0.113.10:51820')).toBeDefined();
  });

  // Regression test (the bug is fixed): `learn` once left `keep` out of the learned endpoints it
  // counted, so when the kept (active) endpoint was itself learned the set held maxLearned + 1
  // learned endpoints (9 with the default of 8). The bound counts the kept one too.
  it('keeps at most maxLearned learned endpoints even when the kept one is learned', () => {
    const set = new EndpointSet(MAX_LEARNED_ENDPOINTS);
    let active = set.learn(ep('203.0.113.200'), 0).record.key;
    for (let i = 1; i <= 20; i++) {
      active = set.learn(ep(`203.0.113.${i}`), i, active).record.key;
      expect(set.list.filter((r) => r.origin === 'learned').length).toBeLessThanOrEqual(
        MAX_LEARNED_ENDPOINTS,
      );
    }
  });

  it('preserves statistics across setConfigured, demoting the kept active endpoint to learned', () => {
    const set = new EndpointSet();
    set.setConfigured([ep('198.51.100.1'), ep('198.51.100.2')]);
    const one = set.get('198.51.100.1:51820')!;
    const two = set.get('198.51.100.2:51820')!;
    one.noteSent(100);
    one.noteReceived(150);
    one.noteRtt(40);
    one.noteSendError('ENETUNREACH', 160);
    two.noteRtt(80);
    // A resolver update reorders, drops 198.51.100.2 (the active one) and adds another.
    const change = set.setConfigured([ep('198.51.100.3'), ep('198.51.100.1')], '198.51.100.2:51820');
    expect(change).toEqual({ added: ['198.51.100.3:51820'], removed: [] });
    expect(set.get('198.51.100.1:51820')).toBe(one);
    expect(one.order).toBe(1);
    expect(one.lastSentAt).toBe(100);
    expect(one.lastReceivedAt).toBe(150);
    expect(one.rtt?.latest).toBe(40);
    expect(one.sendErrors).toBe(1);
    expect(one.state).toBe('down');
    expect(set.get('198.51.100.2:51820')).toBe(two);
    expect(two.origin).toBe('learned');
    expect(two.rtt?.latest).toBe(80);
    expect(set.list.map((r) => r.key)).toEqual([
      '198.51.100.3:51820',
      '198.51.100.1:51820',
      '198.51.100.2:51820',
    ]);
    // Without `keep`, the next update removes it.
    expect(set.setConfigured([ep('198.51.100.3')]).removed).toEqual(['198.51.100.1:51820']);
    expect(set.get('198.51.100.2:51820')).toBe(two);
  });

  it('derives a state from the statistics', () => {
    const set = new EndpointSet();
    const r = set.learn(ep('203.0.113.1'), 0).record;
    expect(r.state).toBe('unknown');
    r.noteSent(1_000);
    expect(r.state).toBe('suspect');
    r.noteReceived(1_010);
    expect(r.state).toBe('up');
    r.noteSent(20_000);
    expect(r.state).toBe('suspect');
    r.noteReceived(20_010);
    r.noteSendError('ENETUNREACH', 20_020);
    expect(r.state).toBe('down');
    r.noteReceived(20_030);
    expect(r.state).toBe('up');
  });
});
