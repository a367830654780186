import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createProbeFields,
  looksLikeProbe,
  PROBE_ERROR_NAMES,
  PROBE_HELLO,
  PROBE_HELLO_ACK,
  PROBE_PING,
  PROBE_PONG,
  PROBE_REPLY_LENGTH,
  PROBE_REQUEST_LENGTH,
  ProbeError,
  type ProbeFields,
  type ProbeType,
  readProbe,
  writeProbe,
} from './probe-message.js';

const TYPES: ProbeType[] = [PROBE_PING, PROBE_PONG, PROBE_HELLO, PROBE_HELLO_ACK];

function sample(type: ProbeType): ProbeFields {
  return {
    ...createProbeFields(),
    type,
    pathId: 0xdeadbeef,
    sequence: 4242,
    timestampUs: 1_234_567_890_123,
    received: 17,
    size: 1400,
  };
}

function encode(fields: ProbeFields, size = 0): Uint8Array {
  const out = new Uint8Array(Math.max(size, 64));
  const length = writeProbe(out, fields);
  return out.slice(0, Math.max(length, size));
}

function decode(payload: Uint8Array): { code: number; fields: ProbeFields } {
  const fields = createProbeFields();
  return { code: readProbe(payload, fields), fields };
}

describe('probe message (wire version 2)', () => {
  it('has the layout of the module comment: a known-answer PONG', () => {
    const bytes = encode(sample(PROBE_PONG));
    expect(Buffer.from(bytes).toString('hex')).toBe(
      [
        '02', // PONG
        '707770', // "pwp"
        '02', // version
        '00', // flags
        '0020', // length 32
        'deadbeef', // path id
        '00001092', // sequence 4242
        '0000011f71fb04cb', // 1 234 567 890 123 µs
        '00000011', // received 17
        '0578', // size 1400
        '0000', // reserved
      ].join(''),
    );
  });

  it('round-trips every type, with padding after the meaningful bytes', () => {
    for (const type of TYPES) {
      const fields = sample(type);
      const bytes = encode(fields, 1400);
      expect(bytes.length).toBe(1400);
      const { code, fields: read } = decode(bytes);
      expect(code).toBe(ProbeError.OK);
      const reply = type === PROBE_PONG || type === PROBE_HELLO_ACK;
      expect(read).toEqual({
        ...fields,
        length: reply ? PROBE_REPLY_LENGTH : PROBE_REQUEST_LENGTH,
        received: reply ? 17 : 0,
        size: reply ? 1400 : 0,
      });
    }
  });

  it('round-trips any field values (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES),
        fc.nat({ max: 0xffff_ffff }),
        fc.nat({ max: 0xffff_ffff }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.nat({ max: 0xffff_ffff }),
        fc.nat({ max: 0xffff }),
        fc.nat({ max: 1500 }),
        (type, pathId, sequence, timestampUs, received, size, padTo) => {
          const fields = { ...createProbeFields(), type, pathId, sequence, timestampUs, received, size };
          const { code, fields: read } = decode(encode(fields, padTo));
          expect(code).toBe(ProbeError.OK);
          expect(read.pathId).toBe(pathId);
          expect(read.sequence).toBe(sequence);
          expect(read.timestampUs).toBe(timestampUs);
          if (type === PROBE_PONG || type === PROBE_HELLO_ACK) {
            expect(read.received).toBe(received);
            expect(read.size).toBe(size);
          }
        },
      ),
    );
  });

  it('refuses every truncation of every type with a named reason, never throwing', () => {
    for (const type of TYPES) {
      const bytes = encode(sample(type));
      for (let cut = 0; cut < bytes.length; cut++) {
        const { code } = decode(bytes.subarray(0, cut));
        expect(code, `${type} cut at ${cut}`).toBeLessThan(0);
        expect(PROBE_ERROR_NAMES[code]).toBeDefined();
        // Below the magic nothing claims to be a probe; from the magic on the reason is the length.
        if (cut >= 8) expect([ProbeError.TRUNCATED, ProbeError.LENGTH]).toContain(code);
      }
    }
  });

  it('every flipped bit of every type either refuses the message or changes a field', () => {
    for (const type of TYPES) {
      const bytes = encode(sample(type));
      const original = decode(bytes).fields;
      for (let at = 0; at < bytes.length; at++) {
        for (let bit = 0; bit < 8; bit++) {
          const flipped = bytes.slice();
          flipped[at]! ^= 1 << bit;
          const { code, fields } = decode(flipped);
          if (code === ProbeError.OK) {
            expect(fields, `type ${type} byte ${at} bit ${bit}`).not.toEqual(original);
          } else {
            expect(PROBE_ERROR_NAMES[code], `type ${type} byte ${at} bit ${bit}`).toBeDefined();
          }
          // Header bytes (type, magic, version, flags) refuse; path id/sequence/timestamp change.
          if (at >= 1 && at <= 5) expect(code).toBeLessThan(0);
          if (at >= 8 && at < 16) expect(code).toBe(ProbeError.OK);
        }
      }
    }
  });

  it('refuses arbitrary bytes without throwing (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const { code } = decode(bytes);
        expect(code === ProbeError.OK || PROBE_ERROR_NAMES[code] !== undefined).toBe(true);
      }),
    );
  });

  it('is never an IP packet and never mistaken for one', () => {
    for (const type of TYPES) expect(encode(sample(type))[0]! >> 4).toBe(0);
    const ipv4 = new Uint8Array(40);
    ipv4[0] = 0x45;
    expect(looksLikeProbe(ipv4)).toBe(false);
    expect(decode(ipv4).code).toBe(ProbeError.NOT_PROBE);
  });

  it('refuses the earlier 16-byte reserved form (version byte is its id)', () => {
    const old = new Uint8Array(16);
    old.set([0x01, 0x70, 0x77, 0x70, 0x39, 0x30, 0, 0]);
    expect(decode(old).code).toBe(ProbeError.VERSION);
  });

  it('refuses a length beyond the payload, and accepts a longer length that the payload holds', () => {
    const bytes = encode(sample(PROBE_PING), 48);
    bytes[7] = 49;
    expect(decode(bytes).code).toBe(ProbeError.LENGTH);
    bytes[7] = 40; // future fields the reader ignores
    expect(decode(bytes).code).toBe(ProbeError.OK);
    bytes[7] = 23;
    expect(decode(bytes).code).toBe(ProbeError.LENGTH);
  });

  it('writeProbe refuses an unknown type and a short buffer', () => {
    expect(() => writeProbe(new Uint8Array(64), { ...sample(PROBE_PING), type: 9 as ProbeType })).toThrow(
      'unknown probe type 9',
    );
    expect(() => writeProbe(new Uint8Array(10), sample(PROBE_PING))).toThrow('buffer of 10 bytes < 24');
  });
});
