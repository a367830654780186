/**
 * One timer queue for the whole device (a binary min-heap with lazy deletion): each peer has at
 * most one live entry, its next deadline. Rescheduling pushes a new entry and bumps the peer's
 * generation; stale entries are discarded when they reach the top. A wake-up costs O(log n) per
 * due peer, never a scan of idle peers.
 */

export interface Schedulable {
  /** Bumped whenever the deadline changes; entries with an older generation are stale. */
  timerGeneration: number;
}

interface Entry<T extends Schedulable> {
  readonly at: number;
  readonly item: T;
  readonly generation: number;
}

export class TimerQueue<T extends Schedulable> {
  private readonly heap: Entry<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `item` at `at` (or cancels it when `at` is undefined), replacing its previous deadline. */
  schedule(item: T, at: number | undefined): void {
    item.timerGeneration++;
    if (at === undefined) return;
    this.heap.push({ at, item, generation: item.timerGeneration });
    this.siftUp(this.heap.length - 1);
  }

  /** The earliest live deadline, dropping stale entries on the way. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /** Removes and returns the item due at or before `now`, if any. */
  popDue(now: number): T | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (!top || top.at > now) return undefined;
    this.removeTop();
    top.item.timerGeneration++;
    return top.item;
  }

  private dropStale(): void {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (top.generation === top.item.timerGeneration) return;
      this.removeTop();
    }
  }

  private removeTop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= entry.at) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = entry;
  }
}
