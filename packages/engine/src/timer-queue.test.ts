/** Unit tests of the device's timer queue (binary heap with lazy deletion). */

import { Random } from '@pathwire/netsim';
import { describe, expect, it } from 'vitest';
import { TimerQueue } from './timer-queue.js';

class Item {
  timerGeneration = 0;
  constructor(readonly name: string) {}
}

function drain(queue: TimerQueue<Item>, now: number): string[] {
  const out: string[] = [];
  for (let item = queue.popDue(now); item; item = queue.popDue(now)) out.push(item.name);
  return out;
}

describe('TimerQueue', () => {
  it('pops due items in deadline order and leaves later ones', () => {
    const queue = new TimerQueue<Item>();
    const items = ['a', 'b', 'c', 'd', 'e'].map((n) => new Item(n));
    for (const [i, at] of [50, 10, 40, 20, 30].entries()) queue.schedule(items[i]!, at);
    expect(queue.peek()).toBe(10);
    expect(queue.popDue(9)).toBeUndefined();
    expect(drain(queue, 35)).toEqual(['b', 'd', 'e']);
    expect(queue.peek()).toBe(40);
    expect(drain(queue, 1_000)).toEqual(['c', 'a']);
    expect(queue.peek()).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  it('rescheduling replaces the previous deadline (earlier or later)', () => {
    const queue = new TimerQueue<Item>();
    const a = new Item('a');
    const b = new Item('b');
    queue.schedule(a, 100);
    queue.schedule(b, 50);
    queue.schedule(a, 20); // earlier
    queue.schedule(b, 200); // later
    expect(queue.peek()).toBe(20);
    expect(drain(queue, 100)).toEqual(['a']);
    expect(queue.peek()).toBe(200);
    expect(drain(queue, 199)).toEqual([]);
    expect(drain(queue, 200)).toEqual(['b']);
  });

  it('cancels with undefined and discards stale entries lazily', () => {
    const queue = new TimerQueue<Item>();
    const a = new Item('a');
    for (let t = 100; t > 0; t -= 10) queue.schedule(a, t);
    expect(queue.size).toBe(10); // stale entries stay until they reach the top
    expect(queue.peek()).toBe(10);
    queue.schedule(a, undefined);
    expect(queue.peek()).toBeUndefined();
    expect(queue.size).toBe(0);
    expect(queue.popDue(1_000)).toBeUndefined();
  });

  it('an item popped once is not popped again until rescheduled', () => {
    const queue = new TimerQueue<Item>();
    const a = new Item('a');
    queue.schedule(a, 10);
    queue.schedule(a, 10);
    expect(drain(queue, 10)).toEqual(['a']);
    expect(drain(queue, 10)).toEqual([]);
    queue.schedule(a, 5);
    expect(drain(queue, 10)).toEqual(['a']);
  });

  it('matches a reference model under random schedule/cancel/pop (seeded)', () => {
    const random = Random.fromSeed(99);
    const queue = new TimerQueue<Item>();
    const items = Array.from({ length: 40 }, (_, i) => new Item(`i${i}`));
    const model = new Map<Item, number>();
    let now = 0;
    for (let step = 0; step < 5_000; step++) {
      const r = random.next();
      const item = items[Math.floor(random.next() * items.length)]!;
      if (r < 0.5) {
        const at = now + Math.floor(random.next() * 1_000);
        queue.schedule(item, at);
        model.set(item, at);
      } else if (r < 0.6) {
        queue.schedule(item, undefined);
        model.delete(item);
      } else {
        now += Math.floor(random.next() * 200);
        const popped: Item[] = [];
        for (let x = queue.popDue(now); x; x = queue.popDue(now)) popped.push(x);
        const due = [...model].filter(([, at]) => at <= now);
        expect(new Set(popped)).toEqual(new Set(due.map(([x]) => x)));
        // Deadline order (ties in any order).
        const times = popped.map((x) => model.get(x)!);
        expect(times).toEqual([...times].sort((p, q) => p - q));
        for (const x of popped) model.delete(x);
      }
      const earliest = Math.min(...model.values());
      expect(queue.peek()).toBe(model.size === 0 ? undefined : earliest);
    }
  });
});
