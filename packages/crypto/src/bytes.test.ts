import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  concatBytes,
  constantTimeEqual,
  decodeKey,
  hexToBytes,
  isAllZero,
  wipe,
} from './index.js';
import { prng } from './vectors.test-helper.js';

describe('base64', () => {
  it('round-trips and matches Buffer for every length 0..300', () => {
    const random = prng(64);
    for (let length = 0; length <= 300; length++) {
      const bytes = random.bytes(length);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(bytesToHex(base64ToBytes(text)!)).toBe(bytesToHex(bytes));
    }
  });

  it('decodes what Buffer encodes, including all 64 alphabet characters', () => {
    const all = Uint8Array.from({ length: 48 }, (_, i) => (i * 0x55 + 0x13) & 255);
    const text = Buffer.from(Uint8Array.from({ length: 255 }, (_, i) => i)).toString('base64');
    expect(new Set(text.replaceAll('=', '')).size).toBe(64);
    expect(bytesToHex(base64ToBytes(text)!)).toBe(bytesToHex(Uint8Array.from({ length: 255 }, (_, i) => i)));
    expect(bytesToHex(base64ToBytes(Buffer.from(all).toString('base64'))!)).toBe(bytesToHex(all));
  });

  it.each(['A', 'AB', 'ABC', 'A===', '====', 'AB=C', '=ABC', 'AB-_', 'AB C', 'ABCD====', 'YWJj\n'])(
    'rejects malformed %j',
    (text) => {
      expect(base64ToBytes(text)).toBeUndefined();
    },
  );

  it('decodes 32-byte WireGuard keys and nothing else', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const text = Buffer.from(key).toString('base64');
    expect(text).toHaveLength(44);
    expect(bytesToHex(decodeKey(text)!)).toBe(bytesToHex(key));
    expect(bytesToHex(decodeKey(`  ${text}\n`)!)).toBe(bytesToHex(key));
    expect(decodeKey(Buffer.from(key.subarray(1)).toString('base64'))).toBeUndefined();
    expect(decodeKey(Buffer.from(new Uint8Array(33)).toString('base64'))).toBeUndefined();
    expect(decodeKey(`${text.slice(0, 42)}!=`)).toBeUndefined();
  });
});

describe('hex', () => {
  it('round-trips and matches Buffer', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesToHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
    expect(bytesToHex(hexToBytes('00ff10AbCd'))).toBe('00ff10abcd');
  });

  it.each(['0', 'abc', 'zz', '0x00', '12 34'])('throws on %j', (text) => {
    expect(() => hexToBytes(text)).toThrow(TypeError);
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal contents of equal length', () => {
    const a = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(constantTimeEqual(a, a.slice())).toBe(true);
    expect(constantTimeEqual(new Uint8Array(), new Uint8Array())).toBe(true);
    for (const index of [0, 15, 31]) {
      const b = a.slice();
      b[index]! ^= 0x80;
      expect(constantTimeEqual(a, b)).toBe(false);
    }
    expect(constantTimeEqual(a, a.subarray(0, 31))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(1), new Uint8Array(0))).toBe(false);
  });
});

describe('isAllZero, wipe, concatBytes', () => {
  it('detect zeros, wipe in place and concatenate', () => {
    const secret = Uint8Array.from([1, 2, 3]);
    const other = Uint8Array.from([0, 0, 9]);
    expect(isAllZero(secret)).toBe(false);
    expect(isAllZero(other)).toBe(false);
    wipe(secret, undefined, other);
    expect(isAllZero(secret) && isAllZero(other)).toBe(true);
    expect(isAllZero(new Uint8Array())).toBe(true);
    expect(bytesToHex(concatBytes(Uint8Array.from([1]), new Uint8Array(), Uint8Array.from([2, 3])))).toBe(
      '010203',
    );
    expect(concatBytes().length).toBe(0);
  });
});
