import { describe, expect, it } from 'vitest';
import { bytesToHex, CryptoError } from './index.js';
import { backends, hex, loadVectors, prng } from './vectors.test-helper.js';

interface X25519Vectors {
  scalarMult: { cases: { scalar: string; u: string; output: string }[] };
  iterated: { start: string; cases: { iterations: number; result: string }[] };
  diffieHellman: Record<'alicePrivate' | 'alicePublic' | 'bobPrivate' | 'bobPublic' | 'shared', string>;
  lowOrder: { points: { name: string; u: string }[] };
}
const vectors = loadVectors<X25519Vectors>('x25519');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof CryptoError ? error.code : `not a CryptoError: ${String(error)}`;
  }
  return undefined;
}

describe.each(backends)('X25519 on the $name backend', (backend) => {
  it.each(vectors.scalarMult.cases)('matches RFC 7748 §5.2 for scalar $scalar', ({ scalar, u, output }) => {
    // The second vector's u has its top bit set: this also proves the backend masks it (RFC 7748 §5).
    expect(bytesToHex(backend.sharedSecret(hex(scalar), hex(u)))).toBe(output);
  });

  it('matches the RFC 7748 §5.2 iterated results after 1 and 1,000 iterations', () => {
    let k = hex(vectors.iterated.start);
    let u = hex(vectors.iterated.start);
    let done = 0;
    for (const { iterations, result } of vectors.iterated.cases) {
      for (; done < iterations; done++) [k, u] = [backend.sharedSecret(k, u), k];
      expect(bytesToHex(k)).toBe(result);
    }
  });

  it('reproduces the RFC 7748 §6.1 Diffie-Hellman example', () => {
    const v = vectors.diffieHellman;
    expect(bytesToHex(backend.publicKey(hex(v.alicePrivate)))).toBe(v.alicePublic);
    expect(bytesToHex(backend.publicKey(hex(v.bobPrivate)))).toBe(v.bobPublic);
    expect(bytesToHex(backend.sharedSecret(hex(v.alicePrivate), hex(v.bobPublic)))).toBe(v.shared);
    expect(bytesToHex(backend.sharedSecret(hex(v.bobPrivate), hex(v.alicePublic)))).toBe(v.shared);
  });

  it.each(vectors.lowOrder.points)('refuses the low-order point $name ($u)', ({ u }) => {
    const point = hex(u);
    const highBit = point.slice();
    highBit[31]! |= 0x80; // the same point once the top bit is masked
    for (const candidate of [point, highBit]) {
      for (let i = 0; i < 4; i++) {
        expect(codeOf(() => backend.sharedSecret(backend.generateSecretKey(), candidate))).toBe(
          'X25519_ZERO_SHARED_SECRET',
        );
      }
    }
  });

  it('rejects keys that are not 32 bytes with BAD_KEY_LENGTH', () => {
    const good = backend.generateSecretKey();
    for (const length of [0, 31, 33, 64]) {
      const bad = new Uint8Array(length).fill(9);
      expect(codeOf(() => backend.publicKey(bad))).toBe('BAD_KEY_LENGTH');
      expect(codeOf(() => backend.sharedSecret(bad, good))).toBe('BAD_KEY_LENGTH');
      expect(codeOf(() => backend.sharedSecret(good, bad))).toBe('BAD_KEY_LENGTH');
    }
  });

  it('generates distinct 32-byte secret keys and fills randomBytes in place', () => {
    const a = backend.generateSecretKey();
    const b = backend.generateSecretKey();
    expect(a.length).toBe(32);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
    const buffer = new Uint8Array(64);
    expect(backend.randomBytes(buffer)).toBe(buffer);
    expect(buffer.some((byte) => byte !== 0)).toBe(true);
  });

  it('returns keys that own their memory (no view into a shared pool)', () => {
    const secret = backend.generateSecretKey();
    const pub = backend.publicKey(secret);
    const shared = backend.sharedSecret(secret, backend.publicKey(backend.generateSecretKey()));
    for (const bytes of [pub, shared]) {
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(32);
    }
  });
});

describe('X25519 backends agree', () => {
  const [noble, node] = backends as [(typeof backends)[0], (typeof backends)[0]];

  it('on public keys and shared secrets of 200 random key pairs', () => {
    const random = prng(0x25519);
    for (let i = 0; i < 200; i++) {
      const a = random.bytes(32);
      const b = random.bytes(32);
      const aPub = noble.publicKey(a);
      expect(bytesToHex(node.publicKey(a))).toBe(bytesToHex(aPub));
      const bPub = node.publicKey(b);
      const shared = noble.sharedSecret(b, aPub);
      expect(bytesToHex(node.sharedSecret(a, bPub))).toBe(bytesToHex(shared));
      expect(bytesToHex(node.sharedSecret(b, aPub))).toBe(bytesToHex(shared));
    }
  });

  it('on arbitrary 32-byte u-coordinates (twist points, top bit set, values >= p)', () => {
    const random = prng(7748);
    let zeros = 0;
    for (let i = 0; i < 200; i++) {
      const scalar = random.bytes(32);
      const u = random.bytes(32);
      if (i % 4 === 0) u[31]! |= 0x80;
      if (i % 8 === 1) u.fill(0xff, 1); // u >= p after masking: non-canonical, must be reduced
      const outcome = (run: () => Uint8Array): string => {
        try {
          return bytesToHex(run());
        } catch (error) {
          return error instanceof CryptoError ? error.code : String(error);
        }
      };
      const expected = outcome(() => noble.sharedSecret(scalar, u));
      expect(outcome(() => node.sharedSecret(scalar, u))).toBe(expected);
      if (expected.length !== 64) zeros++;
    }
    expect(zeros).toBeLessThan(10); // a few u = p + 0 or p + 1 are expected; most must be real points
  });

  it('still sees a key rewritten in place (the node key cache compares contents)', () => {
    const secret = noble.generateSecretKey();
    const first = bytesToHex(node.publicKey(secret));
    secret[0]! ^= 0xff;
    expect(bytesToHex(node.publicKey(secret))).toBe(bytesToHex(noble.publicKey(secret)));
    expect(bytesToHex(node.publicKey(secret))).not.toBe(first);
  });
});
