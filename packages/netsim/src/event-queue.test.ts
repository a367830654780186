import { Random } from '@pathwire/random';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.js';

interface Item {
  time: number;
  seq: number;
  id: number;
}

describe('EventQueue', () => {
  it('pops by time, then by insertion order', () => {
    const q = new EventQueue<Item>();
    const r = Random.fromSeed(3);
    const items: Item[] = [];
    for (let id = 0; id < 2000; id++) {
      const item = { time: Math.floor(r.next() * 50), seq: 0, id };
      items.push(item);
      q.push(item);
    }
    const expected = [...items].sort((a, b) => a.time - b.time || a.id - b.id).map((i) => i.id);
    const got: number[] = [];
    for (let it = q.pop(); it; it = q.pop()) got.push(it.id);
    expect(got).toEqual(expected);
    expect(q.size).toBe(0);
  });

  it('interleaves pushes and pops', () => {
    const q = new EventQueue<Item>();
    q.push({ time: 5, seq: 0, id: 1 });
    q.push({ time: 1, seq: 0, id: 2 });
    expect(q.pop()?.id).toBe(2);
    q.push({ time: 5, seq: 0, id: 3 });
    q.push({ time: 3, seq: 0, id: 4 });
    expect([q.pop()?.id, q.pop()?.id, q.pop()?.id, q.pop()]).toEqual([4, 1, 3, undefined]);
  });
});
