/**
 * A push-to-pull bridge: events pushed as they arrive, pulled with `for await`. Bounded: past
 * `limit` unread items the oldest are dropped (the daemon's `seq` gap then shows it).
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private done = false;
  private error: Error | undefined;

  constructor(
    private readonly onReturn: () => void,
    private readonly limit = 10_000,
  ) {}

  push(item: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.limit) this.items.shift();
    this.items.push(item);
  }

  end(): void {
    this.done = true;
    const resolve = this.waiting;
    this.waiting = this.failWaiting = undefined;
    resolve?.({ value: undefined, done: true });
  }

  fail(error: Error): void {
    this.error = error;
    const reject = this.failWaiting;
    this.waiting = this.failWaiting = undefined;
    reject?.(error);
    this.done = true;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.error) return Promise.reject(this.error);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    this.items.length = 0;
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
