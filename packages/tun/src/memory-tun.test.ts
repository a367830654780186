import { describe, expect, it } from 'vitest';
import { TunError } from './errors.js';
import { MemoryTun } from './memory-tun.js';
import type { PacketBatch } from './tun.js';

const packet = (length: number, fill: number) => new Uint8Array(length).fill(fill);
const collect = (into: number[][]) => (batch: PacketBatch) => {
  const firstBytes: number[] = [];
  for (let i = 0; i < batch.count; i++) firstBytes.push(batch.buffer[batch.offsets[i]!]!);
  into.push(firstBytes);
  return undefined;
};
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MemoryTun', () => {
  it('carries packets both ways, in batches of at most batchSize, with their bytes and lengths', async () => {
    const [a, b] = MemoryTun.pair({ batchSize: 4 });
    const atB: number[][] = [];
    const atA: number[][] = [];
    b.onBatch(collect(atB));
    a.onBatch(collect(atA));
    for (let i = 1; i <= 10; i++) a.write(packet(40 + i, i));
    b.write(packet(60, 99));
    await tick();
    await tick();
    await tick();
    expect(atB).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    expect(atA).toEqual([[99]]);
    expect(b.stats()).toMatchObject({ packetsRead: 10, batchesRead: 3, dropped: 0 });
    expect(a.stats()).toMatchObject({ packetsWritten: 10, writeCalls: 10 });
  });

  it('writes a whole batch in one call and delivers views with the right lengths', () => {
    const [a, b] = MemoryTun.pair({ schedule: 'manual' });
    const buffer = new Uint8Array(300);
    buffer.fill(7, 0, 100);
    buffer.fill(8, 100, 300);
    expect(a.writeBatch(buffer, Uint32Array.of(0, 100), Uint32Array.of(100, 200), 2)).toBe(2);
    const seen: [number, number][] = [];
    b.onBatch((batch) => {
      for (let i = 0; i < batch.count; i++) {
        const view = batch.buffer.subarray(batch.offsets[i]!, batch.offsets[i]! + batch.lengths[i]!);
        seen.push([view.length, view.every((byte) => byte === view[0]) ? view[0]! : -1]);
      }
      return undefined;
    });
    expect(seen).toEqual([]); // manual: nothing until flush()
    expect(b.flush()).toBe(2);
    expect(seen).toEqual([
      [100, 7],
      [200, 8],
    ]);
  });

  it('pauses when the handler returns false, drops beyond queueLength, and resumes', () => {
    const [a, b] = MemoryTun.pair({ schedule: 'manual', batchSize: 2, queueLength: 5 });
    const batches: number[][] = [];
    b.onBatch((batch) => {
      collect(batches)(batch);
      return false;
    });
    for (let i = 0; i < 8; i++) a.write(packet(20, i));
    expect(b.queued).toBe(5);
    expect(b.stats().dropped).toBe(3);
    expect(b.flush()).toBe(2);
    expect(b.paused).toBe(true);
    expect(b.flush()).toBe(0);
    b.onBatch(collect(batches));
    expect(b.flush()).toBe(3);
    expect(batches).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('keeps a batch valid while the handler writes back through the pair (ring wrap-around)', () => {
    const [a, b] = MemoryTun.pair({ schedule: 'manual', batchSize: 3, queueLength: 4 });
    const echoedAtA: number[][] = [];
    a.onBatch(collect(echoedAtA));
    b.onBatch((batch) => {
      b.writeBatch(batch.buffer, batch.offsets, batch.lengths, batch.count);
      return undefined;
    });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) a.write(packet(30, round * 3 + i));
      b.flush();
      a.flush();
    }
    expect(echoedAtA).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
  });

  it('rejects an oversized write before writing any packet of the batch', () => {
    const [a, b] = MemoryTun.pair({ mtu: 1400, schedule: 'manual' });
    const buffer = new Uint8Array(3000);
    expect(() => a.writeBatch(buffer, Uint32Array.of(0, 1400), Uint32Array.of(1400, 1401), 2)).toThrow(
      expect.objectContaining({ code: 'PACKET_TOO_LARGE', errno: 'EMSGSIZE' }),
    );
    expect(() => a.write(new Uint8Array(1401))).toThrow(/1401 bytes/);
    expect(() => a.write(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'INVALID_PACKET' }));
    expect(b.queued).toBe(0);
  });

  it('closes idempotently: no handler call after close, writes fail with CLOSED, the peer drops', async () => {
    const [a, b] = MemoryTun.pair();
    let calls = 0;
    b.onBatch(() => {
      calls++;
      return undefined;
    });
    a.write(packet(20, 1));
    b.close();
    b.close();
    await tick();
    expect(calls).toBe(0);
    expect(b.closed).toBe(true);
    expect(() => b.write(packet(20, 1))).toThrow(TunError);
    expect(a.write(packet(20, 2))).toBe(true);
    expect(b.stats().dropped).toBe(1);
  });

  it('validates its options', () => {
    expect(() => MemoryTun.pair({ mtu: 10 })).toThrow(expect.objectContaining({ code: 'INVALID_MTU' }));
    expect(() => MemoryTun.pair({ batchSize: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
