import { describe, expect, it } from 'vitest';
import { MemoryTun } from './memory-tun.js';
import { TunWriteQueue } from './write-queue.js';

const packet = (length: number, fill: number) => new Uint8Array(length).fill(fill);

describe('TunWriteQueue', () => {
  it('writes the packets of one tick as one batch, copied at push', async () => {
    const [a, b] = MemoryTun.pair({ schedule: 'manual', queueLength: 100 });
    const seen: number[][] = [];
    b.onBatch((batch) => {
      const lengths: number[] = [];
      for (let i = 0; i < batch.count; i++) lengths.push(batch.lengths[i]!, batch.buffer[batch.offsets[i]!]!);
      seen.push(lengths);
      return undefined;
    });
    const queue = new TunWriteQueue(a);
    const reused = packet(200, 1);
    for (let i = 1; i <= 5; i++) {
      reused.fill(i);
      expect(queue.push(reused.subarray(0, 100 + i))).toBe(true);
    }
    expect(queue.queued).toBe(5);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(queue.queued).toBe(0);
    b.flush();
    expect(seen).toEqual([[101, 1, 102, 2, 103, 3, 104, 4, 105, 5]]);
    expect(a.stats().writeCalls).toBe(1);
  });

  it('writes a batch when full, and refuses what the TUN cannot take without throwing', () => {
    const [a] = MemoryTun.pair({ schedule: 'manual', queueLength: 100, mtu: 1000 });
    const refused: string[] = [];
    const queue = new TunWriteQueue(a, { batchSize: 3, onRefused: (n, why) => refused.push(`${n} ${why}`) });
    expect(queue.push(packet(a.maxPacketSize + 1, 1))).toBe(false);
    expect(queue.push(new Uint8Array(0))).toBe(false);
    for (let i = 0; i < 7; i++) queue.push(packet(50, i));
    expect(a.stats()).toMatchObject({ writeCalls: 2, packetsWritten: 6 });
    a.close();
    queue.flush();
    expect(refused).toEqual(['1 closed']);
  });
});
