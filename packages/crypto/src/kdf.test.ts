import { describe, expect, it } from 'vitest';
import { bytesToHex, kdf, kdf1, kdf2, kdf3 } from './index.js';
import { backends, hex, loadVectors, prng } from './vectors.test-helper.js';

const vectors = loadVectors<{ cases: Record<'key' | 'input' | 't0' | 't1' | 't2', string>[] }>(
  'wireguard-kdf',
);

describe.each(backends)('WireGuard KDF on the $name backend', (backend) => {
  it.each(vectors.cases)('matches wireguard-go TestKDF for key "$key"', (v) => {
    const [key, input] = [hex(v.key), hex(v.input)];
    expect(kdf3(backend, key, input).map(bytesToHex)).toEqual([v.t0, v.t1, v.t2]);
    expect(kdf2(backend, key, input).map(bytesToHex)).toEqual([v.t0, v.t1]);
    expect(kdf1(backend, key, input).map(bytesToHex)).toEqual([v.t0]);
  });

  it('is HKDF over HMAC-BLAKE2s: t1 = HMAC(HMAC(key, input), 0x01)', () => {
    const v = vectors.cases[0]!;
    const prk = backend.hmac(hex(v.key), hex(v.input));
    expect(bytesToHex(backend.hmac(prk, new Uint8Array([1])))).toBe(v.t0);
  });

  it('does not wipe or alias its inputs or earlier outputs', () => {
    const key = new Uint8Array(32).fill(4);
    const input = new Uint8Array(32).fill(5);
    const [a, b, c] = kdf(backend, 3, key, input);
    expect(key.every((byte) => byte === 4) && input.every((byte) => byte === 5)).toBe(true);
    expect(new Set([a, b, c].map((x) => bytesToHex(x!))).size).toBe(3);
    expect(bytesToHex(kdf1(backend, key, input)[0])).toBe(bytesToHex(a!));
  });
});

describe('KDF backends agree', () => {
  it('on 200 random chaining keys and inputs', () => {
    const [noble, node] = backends as [(typeof backends)[0], (typeof backends)[0]];
    const random = prng(0x6b6466);
    for (let i = 0; i < 200; i++) {
      const key = random.bytes(32);
      const input = random.bytes(random.int(100));
      expect(kdf3(node, key, input).map(bytesToHex)).toEqual(kdf3(noble, key, input).map(bytesToHex));
    }
  });
});
