import { Random } from '@pathwire/random';
import { describe, expect, it } from 'vitest';
import {
  formatIpAddress,
  innerDestination,
  innerFamily,
  innerSource,
  packetLength,
  parseIpAddress,
} from './index.js';

/** An IPv4 packet of `total` bytes (header says `total`), inside a buffer of `buffer` bytes. */
function ipv4(src: string, dst: string, total = 28, buffer = total): Uint8Array {
  const packet = new Uint8Array(buffer);
  packet[0] = 0x45;
  packet[2] = total >>> 8;
  packet[3] = total & 0xff;
  packet[8] = 64;
  packet[9] = 17;
  packet.set(parseIpAddress(src).bytes, 12);
  packet.set(parseIpAddress(dst).bytes, 16);
  return packet;
}

/** An IPv6 packet with `payload` bytes after the 40-byte header, inside `buffer` bytes. */
function ipv6(src: string, dst: string, payload = 8, buffer = 40 + payload): Uint8Array {
  const packet = new Uint8Array(buffer);
  packet[0] = 0x60;
  packet[4] = payload >>> 8;
  packet[5] = payload & 0xff;
  packet[6] = 17;
  packet[7] = 64;
  packet.set(parseIpAddress(src).bytes, 8);
  packet.set(parseIpAddress(dst).bytes, 24);
  return packet;
}

/** A seeded stream so failures replay. */
const prng = (seed: number): (() => number) => Random.fromSeed(seed).toFunction();

describe('inner addresses: IPv4', () => {
  it('reads source and destination as views into the packet', () => {
    const packet = ipv4('192.0.2.1', '198.51.100.7');
    const src = innerSource(packet)!;
    const dst = innerDestination(packet)!;
    expect(src.family).toBe(4);
    expect(dst.family).toBe(4);
    expect(formatIpAddress(src.bytes)).toBe('192.0.2.1');
    expect(formatIpAddress(dst.bytes)).toBe('198.51.100.7');
    expect(src.bytes.buffer).toBe(packet.buffer);
    expect(src.bytes.byteOffset).toBe(12);
    expect(dst.bytes.byteOffset).toBe(16);
    packet[19] = 8;
    expect(dst.bytes[3]).toBe(8);
  });

  it('works on a packet that is itself a subarray', () => {
    const outer = new Uint8Array(100);
    outer.set(ipv4('10.0.0.1', '10.0.0.2'), 32);
    const packet = outer.subarray(32, 60);
    expect(formatIpAddress(innerDestination(packet)!.bytes)).toBe('10.0.0.2');
    expect(innerDestination(packet)!.bytes.byteOffset).toBe(48);
    expect(packetLength(packet)).toBe(28);
  });

  it('gives the header length and ignores trailing padding', () => {
    const packet = ipv4('10.0.0.1', '10.0.0.2', 29, 32);
    expect(packetLength(packet)).toBe(29);
    expect(innerFamily(packet)).toBe(4);
    expect(packetLength(ipv4('10.0.0.1', '10.0.0.2', 20))).toBe(20);
  });

  it('refuses short or inconsistent headers', () => {
    expect(innerSource(ipv4('10.0.0.1', '10.0.0.2', 28).subarray(0, 19))).toBeUndefined();
    // Total length larger than the buffer: truncated.
    expect(innerDestination(ipv4('10.0.0.1', '10.0.0.2', 29, 28))).toBeUndefined();
    expect(packetLength(ipv4('10.0.0.1', '10.0.0.2', 29, 28))).toBeUndefined();
    // Total length smaller than a header.
    expect(innerDestination(ipv4('10.0.0.1', '10.0.0.2', 19, 28))).toBeUndefined();
    expect(packetLength(ipv4('10.0.0.1', '10.0.0.2', 0, 28))).toBeUndefined();
  });
});

describe('inner addresses: IPv6', () => {
  it('reads source and destination as views into the packet', () => {
    const packet = ipv6('2001:db8::1', 'fd00::2');
    const src = innerSource(packet)!;
    const dst = innerDestination(packet)!;
    expect(src.family).toBe(6);
    expect(formatIpAddress(src.bytes)).toBe('2001:db8::1');
    expect(formatIpAddress(dst.bytes)).toBe('fd00::2');
    expect(src.bytes.byteOffset).toBe(8);
    expect(dst.bytes.byteOffset).toBe(24);
    expect(dst.bytes.buffer).toBe(packet.buffer);
  });

  it('gives payload length + 40 and ignores trailing padding', () => {
    expect(packetLength(ipv6('::1', '::2', 8))).toBe(48);
    expect(packetLength(ipv6('::1', '::2', 0))).toBe(40);
    expect(packetLength(ipv6('::1', '::2', 13, 64))).toBe(53);
    expect(packetLength(ipv6('::1', '::2', 0xffff - 40, 0xffff))).toBe(0xffff);
  });

  it('refuses short or inconsistent headers', () => {
    expect(innerSource(ipv6('::1', '::2', 0).subarray(0, 39))).toBeUndefined();
    expect(innerDestination(ipv6('::1', '::2', 9, 48))).toBeUndefined();
    expect(packetLength(ipv6('::1', '::2', 9, 48))).toBeUndefined();
  });
});

describe('inner addresses: garbage', () => {
  it('refuses empty buffers and other versions', () => {
    expect(innerFamily(new Uint8Array(0))).toBeUndefined();
    expect(packetLength(new Uint8Array(0))).toBeUndefined();
    const v4 = ipv4('10.0.0.1', '10.0.0.2');
    for (const version of [0, 1, 5, 7, 15]) {
      v4[0] = (version << 4) | 5;
      expect(innerSource(v4)).toBeUndefined();
      expect(innerDestination(v4)).toBeUndefined();
      expect(packetLength(v4)).toBeUndefined();
    }
  });

  it('an IPv6 header word in a 20-byte IPv4-sized buffer is refused', () => {
    const packet = ipv4('10.0.0.1', '10.0.0.2', 20);
    packet[0] = 0x60;
    expect(innerFamily(packet)).toBeUndefined();
  });

  it('never throws on random bytes, and whatever it accepts is consistent', () => {
    const rand = prng(7);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const packet = new Uint8Array(Math.floor(rand() * 80));
      for (let j = 0; j < packet.length; j++) packet[j] = Math.floor(rand() * 256);
      // Bias towards plausible headers so both families get accepted now and then.
      if (packet.length > 0 && rand() < 0.5) packet[0] = rand() < 0.5 ? 0x45 : 0x60;
      if (packet.length > 5 && rand() < 0.5) {
        packet[2] = 0;
        packet[3] = Math.floor(rand() * 80);
        packet[4] = 0;
        packet[5] = Math.floor(rand() * 40);
      }
      const family = innerFamily(packet);
      const length = packetLength(packet);
      const src = innerSource(packet);
      const dst = innerDestination(packet);
      if (family === undefined) {
        expect([length, src, dst]).toEqual([undefined, undefined, undefined]);
        continue;
      }
      accepted++;
      expect(length).toBeLessThanOrEqual(packet.length);
      expect(length).toBeGreaterThanOrEqual(family === 4 ? 20 : 40);
      expect(src!.bytes.length).toBe(family === 4 ? 4 : 16);
      expect(dst!.bytes.length).toBe(family === 4 ? 4 : 16);
    }
    expect(accepted).toBeGreaterThan(500);
  });
});
