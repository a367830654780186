/**
 * The TUN offload logic of the addon (native/offload.cc) on crafted packets, through its test
 * hooks: super-packets as the kernel reads them out split into correct segments, partial
 * checksums completed, and batches coalesced into super-packets the kernel can segment back
 * into exactly the packets given. Checksums are verified by an independent implementation
 * (test-support/segments.ts). No TUN and no root needed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative } from './native.js';
import {
  bytes,
  checksumsValid,
  get16,
  ipHeaderLength,
  put16,
  readVnet,
  superPacket,
  TCP_ACK,
  TCP_CWR,
  TCP_FIN,
  TCP_PSH,
  TCP_SYN,
  tcpFields,
  tcpSegment,
  udpDatagram,
  udpLength,
  withVnet,
} from './test-support/segments.js';

const { offloadRead, offloadWrite } = loadNative();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Consecutive MSS-sized segments of one connection, as a TCP sender emits them. */
function run(ipv6: boolean, sizes: number[], seq = 1000, options?: Uint8Array): Uint8Array[] {
  let next = seq;
  return sizes.map((size, i) => {
    const payload = bytes(size, next);
    const p = tcpSegment({ ipv6, seq: next, payload, id: 100 + i, ...(options ? { options } : {}) });
    next += size;
    return p;
  });
}

describe('reading super-packets (TSO/USO) and partial checksums', () => {
  it('splits a TCP/IPv4 super-packet into MSS-sized segments with correct headers', () => {
    const payload = bytes(10_000);
    const read = superPacket(
      { ipv6: false, seq: 0xfffff000, payload, id: 7, flags: TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR },
      1448,
    );
    const segments = offloadRead(read)!;
    expect(segments).toHaveLength(7);
    segments.forEach((segment, i) => {
      const f = tcpFields(segment);
      expect(checksumsValid(segment)).toBe(true);
      expect(f.totalLength).toBe(segment.length);
      expect(f.id).toBe(7 + i);
      expect(f.seq).toBe((0xfffff000 + i * 1448) >>> 0); // wraps around 2^32
      const last = i === 6;
      expect(f.flags & (TCP_PSH | TCP_FIN)).toBe(last ? TCP_PSH | TCP_FIN : 0);
      expect(f.flags & TCP_CWR).toBe(i === 0 ? TCP_CWR : 0);
      expect(f.payload.length).toBe(last ? 10_000 - 6 * 1448 : 1448);
    });
    expect(concat(segments.map((s) => tcpFields(s).payload))).toEqual(payload);
  });

  it('splits a TCP/IPv6 super-packet with options', () => {
    const options = new Uint8Array([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]); // NOP NOP timestamps
    const payload = bytes(65_535 - 40 - 32, 3);
    const segments = offloadRead(superPacket({ ipv6: true, seq: 5, payload, options }, 1388))!;
    expect(segments).toHaveLength(Math.ceil(payload.length / 1388));
    for (const segment of segments) {
      expect(checksumsValid(segment)).toBe(true);
      expect(segment.subarray(60, 72)).toEqual(options);
      expect(tcpFields(segment).totalLength).toBe(segment.length);
    }
    expect(concat(segments.map((s) => tcpFields(s).payload))).toEqual(payload);
  });

  it('splits a UDP super-packet (USO) with per-datagram lengths and checksums', () => {
    for (const ipv6 of [false, true]) {
      const payload = bytes(3000, 9);
      const datagram = udpDatagram(ipv6, payload, 40);
      const ihl = ipHeaderLength(datagram);
      const read = withVnet(
        { flags: 1, gsoType: 5, hdrLen: ihl + 8, gsoSize: 1200, csumStart: ihl, csumOffset: 6 },
        datagram,
      );
      const segments = offloadRead(read)!;
      expect(segments.map((s) => udpLength(s))).toEqual([1208, 1208, 608]);
      for (const segment of segments) expect(checksumsValid(segment)).toBe(true);
      expect(concat(segments.map((s) => s.subarray(ihl + 8)))).toEqual(payload);
    }
  });

  it('completes a partial checksum (CHECKSUM_PARTIAL) of a single packet', () => {
    for (const ipv6 of [false, true]) {
      const packet = tcpSegment({ ipv6, seq: 1, payload: bytes(777) });
      const partial = superPacket({ ipv6, seq: 1, payload: bytes(777) }, 1448);
      partial[1] = 0; // GSO none, NEEDS_CSUM still set
      const [completed] = offloadRead(partial)!;
      expect(completed).toEqual(packet);
    }
  });

  it('drops malformed offload headers instead of throwing', () => {
    const good = superPacket({ ipv6: false, seq: 1, payload: bytes(3000) }, 1000);
    const zeroSize = good.slice();
    put16(zeroSize, 4, 0); // gso_size 0 (little-endian field, zero either way)
    expect(offloadRead(zeroSize)).toBeNull();
    const wrongStart = good.slice();
    wrongStart[6] = 24; // csum_start past the IPv4 header
    expect(offloadRead(wrongStart)).toBeNull();
    const wrongFamily = good.slice();
    wrongFamily[1] = 4; // TCPV6 for an IPv4 packet
    expect(offloadRead(wrongFamily)).toBeNull();
    expect(offloadRead(good.subarray(0, 30))).toBeNull(); // cut inside the TCP header
    expect(offloadRead(new Uint8Array(4))).toBeNull();
    const badOffset = withVnet(
      { flags: 1, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 60, csumOffset: 16 },
      tcpSegment({ ipv6: false, seq: 1, payload: bytes(10) }),
    );
    expect(offloadRead(badOffset)).toBeNull();
  });

  it('segments of any size carry the payload exactly and verify (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 9000 }),
        fc.integer({ min: 1, max: 65_000 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (ipv6, gsoSize, length, optionWords, seq) => {
          const options = bytes(optionWords * 4, 5);
          // At most 300 segments a case, so that 100 cases stay quick.
          const room = Math.min(length, gsoSize * 300, 65_535 - (ipv6 ? 40 : 20) - 20 - options.length);
          const payload = bytes(room, seq);
          const segments = offloadRead(superPacket({ ipv6, seq, payload, options }, gsoSize))!;
          expect(segments).toHaveLength(Math.ceil(payload.length / gsoSize));
          segments.forEach((segment, i) => {
            expect(checksumsValid(segment)).toBe(true);
            expect(tcpFields(segment).seq).toBe((seq + i * gsoSize) >>> 0);
          });
          expect(same(concat(segments.map((s) => tcpFields(s).payload)), payload)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});

describe('writing: coalescing TCP segments into super-packets', () => {
  it('coalesces a run of one connection into one super-packet the kernel can segment', () => {
    for (const ipv6 of [false, true]) {
      const packets = run(ipv6, [1380, 1380, 1380, 700]);
      const writes = offloadWrite(packets);
      expect(writes).toHaveLength(1);
      const { header, packet } = readVnet(writes[0]!);
      const ihl = ipv6 ? 40 : 20;
      expect(header).toEqual({
        flags: 1,
        gsoType: ipv6 ? 4 : 1,
        hdrLen: ihl + 20,
        gsoSize: 1380,
        csumStart: ihl,
        csumOffset: 16,
      });
      expect(tcpFields(packet).totalLength).toBe(packet.length);
      expect(packet.length).toBe(ihl + 20 + 4840);
      // What the kernel's GSO makes of it: exactly the packets written (IDs were sequential).
      expect(offloadRead(writes[0]!)).toEqual(packets);
    }
  });

  it('writes single packets behind a zero header, unchanged', () => {
    const packets = [udpDatagram(false, bytes(100)), tcpSegment({ ipv6: true, seq: 1, payload: bytes(10) })];
    const writes = offloadWrite(packets);
    expect(writes.map((w) => readVnet(w).header.gsoType)).toEqual([0, 0]);
    expect(writes.map((w) => w.subarray(0, 10).every((b) => b === 0))).toEqual([true, true]);
    expect(writes.map((w) => readVnet(w).packet)).toEqual(packets);
  });

  it('does not coalesce across a sequence gap, another ACK number, SYN, or a bad checksum', () => {
    const [a, b, c] = run(false, [1000, 1000, 1000]);
    const gap = tcpSegment({ ipv6: false, seq: 1000 + 3000 + 1, payload: bytes(1000) });
    expect(offloadWrite([a!, b!, gap]).length).toBe(2);
    const otherAck = tcpSegment({ ipv6: false, seq: 2000, ack: 999, payload: bytes(1000) });
    expect(offloadWrite([a!, otherAck]).length).toBe(2);
    const syn = tcpSegment({ ipv6: false, seq: 2000, flags: TCP_SYN | TCP_ACK, payload: bytes(1000) });
    expect(offloadWrite([a!, syn]).length).toBe(2);
    const corrupt = c!.slice();
    corrupt[corrupt.length - 1]! ^= 0xff;
    const writes = offloadWrite([a!, b!, corrupt]);
    expect(writes).toHaveLength(2);
    expect(readVnet(writes[1]!).packet).toEqual(corrupt); // left for the kernel to drop
    const ttl = tcpSegment({ ipv6: false, seq: 2000, ttl: 3, payload: bytes(1000) });
    expect(offloadWrite([a!, ttl]).length).toBe(2);
  });

  it('ends a super-packet after PSH or a shorter segment', () => {
    const psh = run(false, [1000, 1000, 1000]);
    psh[1] = tcpSegment({
      ipv6: false,
      seq: 2000,
      flags: TCP_ACK | TCP_PSH,
      payload: bytes(1000, 2000),
      id: 101,
    });
    const writes = offloadWrite(psh);
    expect(writes).toHaveLength(2);
    expect(tcpFields(readVnet(writes[0]!).packet).flags & TCP_PSH).toBe(TCP_PSH);
    expect(offloadWrite(run(false, [1000, 500, 1000])).length).toBe(2);
  });

  it('keeps each connection in order when connections interleave (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            flow: fc.integer({ min: 0, max: 2 }),
            size: fc.integer({ min: 1, max: 1400 }),
            ack: fc.boolean(),
          }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.boolean(),
        (steps, ipv6) => {
          const next = [1, 100_000, 5_000_000];
          const packets = steps.map((step) => {
            // A pure ACK (no payload) sometimes, which must stay between the data around it.
            const payload = step.ack ? new Uint8Array(0) : bytes(step.size, next[step.flow]!);
            const p = tcpSegment({ ipv6, seq: next[step.flow]!, payload, source: step.flow + 1 });
            next[step.flow]! += payload.length;
            return p;
          });
          const writes = offloadWrite(packets);
          const delivered = writes.flatMap((w) => offloadRead(w)!);
          for (const p of delivered) expect(checksumsValid(p)).toBe(true);
          for (let flow = 0; flow < 3; flow++) {
            const mine = (p: Uint8Array) => p[ipv6 ? 23 : 15] === flow + 1;
            const sent = packets.filter(mine).map((p) => tcpFields(p));
            const got = delivered.filter(mine).map((p) => tcpFields(p));
            expect(got.map((f) => [f.seq, f.payload.length])).toEqual(
              sent.map((f) => [f.seq, f.payload.length]),
            );
            expect(concat(got.map((f) => f.payload))).toEqual(concat(sent.map((f) => f.payload)));
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);

  it('bounds a super-packet at 64 KiB and at 64 segments', () => {
    const big = offloadWrite(run(false, Array(50).fill(8000)));
    for (const w of big) expect(readVnet(w).packet.length).toBeLessThanOrEqual(65_535);
    expect(big.length).toBeGreaterThan(1);
    const many = offloadWrite(run(true, Array(100).fill(100)));
    expect(many.map((w) => (readVnet(w).packet.length - 60) / 100)).toEqual([64, 36]);
    expect(get16(readVnet(many[1]!).packet, 4)).toBe(20 + 3600);
  });
});
