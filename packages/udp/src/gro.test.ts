/**
 * UDP GRO on loopback, against the real kernel (Linux 5.0+; no privileges needed): runs of
 * datagrams a GSO sender emits as one message reach a GRO socket as one 64 KiB message and are
 * handed to the handler one by one, byte for byte, each with its sender and the local address
 * it was sent to; a message with more datagrams than a batch spans several batches, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeOpened, collect, open } from './test-support/collect.js';

afterEach(closeOpened);

/** Datagram i of a run: `size` bytes (the last of a run may be shorter), its index first. */
function datagram(i: number, size: number): Buffer {
  const bytes = Buffer.alloc(size, i & 0xff);
  bytes.writeUInt16BE(i, 0);
  return bytes;
}

describe('UDP GRO', () => {
  it('delivers a GSO run as separate datagrams, in order, exactly as sent, with or without GRO', async () => {
    for (const gro of [true, false]) {
      const receiver = open({ port: 0, family: 4, address: '127.0.0.1', batchSize: 128, gro });
      const sender = open({ port: 0, family: 4, batchSize: 128, gso: true });
      const sent = Array.from({ length: 100 }, (_, i) => datagram(i, i === 99 ? 77 : 1200));
      const { received: got, done } = collect(receiver, sent.length);
      for (const bytes of sent) sender.send(bytes, receiver.port, '127.0.0.1');
      sender.flush();
      await done;
      expect(got.length).toBe(sent.length);
      expect(got.map((g) => Buffer.from(g.bytes))).toEqual(sent);
      expect(
        got.every((g) => g.port === sender.port && g.source === '127.0.0.1' && g.local === '127.0.0.1'),
      ).toBe(true);
      const stats = receiver.stats();
      expect(stats.gro).toBe(gro);
      expect(stats.datagramsReceived).toBe(100);
      // The sender's two GSO messages (64 + 36 datagrams) stay whole up to a GRO socket.
      expect(stats.groMessages).toBe(gro ? 2 : 0);
      expect(sender.stats().gsoMessages).toBe(2);
    }
  }, 30_000);

  it('spreads a message of more datagrams than a batch over several batches', async () => {
    const receiver = open({ port: 0, family: 6, address: '::1', batchSize: 4 });
    const sender = open({ port: 0, family: 6, batchSize: 64 });
    const sent = Array.from({ length: 40 }, (_, i) => datagram(i, 100));
    const { received: got, batchSizes: batches, done } = collect(receiver, sent.length);
    for (const bytes of sent) sender.send(bytes, receiver.port, '::1');
    sender.flush();
    await done;
    expect(got.map((g) => Buffer.from(g.bytes))).toEqual(sent);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect(receiver.stats()).toMatchObject({ gro: true, groMessages: 1, receiveCalls: 1 });
  });

  it('keeps the local address of each datagram: runs to two local addresses of one socket', async () => {
    const receiver = open({ port: 0, family: 4, batchSize: 64 });
    const sender = open({ port: 0, family: 4, batchSize: 64 });
    const sent = Array.from({ length: 60 }, (_, i) => datagram(i, 500));
    const { received: got, done } = collect(receiver, sent.length);
    // Thirty to 127.0.0.2, thirty to 127.0.0.3: two GSO messages, two GRO messages.
    for (const [i, bytes] of sent.entries())
      sender.send(bytes, receiver.port, i < 30 ? '127.0.0.2' : '127.0.0.3');
    sender.flush();
    await done;
    const byIndex = new Map(got.map((g) => [(g.bytes[0]! << 8) | g.bytes[1]!, g]));
    for (let i = 0; i < 60; i++) {
      expect(Buffer.from(byIndex.get(i)!.bytes)).toEqual(sent[i]);
      expect(byIndex.get(i)?.local).toBe(i < 30 ? '127.0.0.2' : '127.0.0.3');
    }
    expect(receiver.stats().groMessages).toBe(2);
  });

  it('sends and receives the largest datagrams by default (maxDatagram 65535)', async () => {
    for (const [family, address, size] of [
      [4, '127.0.0.1', 65_507],
      [6, '::1', 65_527],
    ] as const) {
      const receiver = open({ port: 0, family, address });
      const sender = open({ port: 0, family });
      const sent = [datagram(1, size), datagram(2, 9000), datagram(3, size)];
      const { received: got, done } = collect(receiver, sent.length);
      for (const bytes of sent) expect(sender.send(bytes, receiver.port, address)).toBe(true);
      sender.flush();
      await done;
      expect(got.map((g) => Buffer.from(g.bytes))).toEqual(sent);
      expect(receiver.stats().truncatedDropped).toBe(0);
    }
  }, 30_000);
});
