import { describe, expect, it } from 'vitest';
import { bytesToHex, CryptoError, concatBytes } from './index.js';
import { backends, hex, loadVectors, prng, referenceBlake2s, referenceHmac } from './vectors.test-helper.js';

interface Blake2sVectors {
  key: string;
  unkeyed: { inputLength: number; hash: string }[];
  keyed: { inputLength: number; hash: string }[];
  rfc7693SelfTest: { outputLengths: number[]; inputLengths: number[]; grandHash: string };
}
const vectors = loadVectors<Blake2sVectors>('blake2s');
const counting = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => i);

/** RFC 7693 Appendix E `selftest_seq`: a Fibonacci-like generator. */
function selftestSeq(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let a = Math.imul(0xdead4bad, seed) >>> 0;
  let b = 1;
  for (let i = 0; i < length; i++) {
    const t = (a + b) >>> 0;
    a = b;
    b = t;
    out[i] = t >>> 24;
  }
  return out;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof CryptoError ? error.code : `not a CryptoError: ${String(error)}`;
  }
  return undefined;
}

describe('the reference BLAKE2s used to cross-check the backends', () => {
  it('passes the RFC 7693 Appendix E self-test and the KATs', () => {
    const { outputLengths, inputLengths, grandHash } = vectors.rfc7693SelfTest;
    const results: Uint8Array[] = [];
    for (const outLen of outputLengths) {
      for (const inLen of inputLengths) {
        const input = selftestSeq(inLen, inLen);
        results.push(referenceBlake2s(input, undefined, outLen));
        results.push(referenceBlake2s(input, selftestSeq(outLen, outLen), outLen));
      }
    }
    expect(bytesToHex(referenceBlake2s(concatBytes(...results)))).toBe(grandHash);
    expect(bytesToHex(referenceBlake2s(counting(255)))).toBe(vectors.unkeyed.at(-1)!.hash);
    expect(bytesToHex(referenceBlake2s(counting(64), hex(vectors.key)))).toBe(
      vectors.keyed.find((v) => v.inputLength === 64)!.hash,
    );
  });
});

describe.each(backends)('BLAKE2s on the $name backend', (backend) => {
  it.each(vectors.unkeyed)('hash() matches blake2s_kat[$inputLength]', ({ inputLength, hash }) => {
    const input = counting(inputLength);
    expect(bytesToHex(backend.hash(input))).toBe(hash);
    // hash(...parts) is the hash of the concatenation, wherever the parts split.
    const cut = Math.floor(inputLength / 3);
    expect(bytesToHex(backend.hash(input.subarray(0, cut), new Uint8Array(), input.subarray(cut)))).toBe(
      hash,
    );
  });

  it.each(vectors.keyed)(
    'mac(key, input, 32) matches blake2s_keyed_kat[$inputLength]',
    ({ inputLength, hash }) => {
      expect(bytesToHex(backend.mac(hex(vectors.key), counting(inputLength), 32))).toBe(hash);
    },
  );

  it('passes the RFC 7693 Appendix E self-test for keyed outputs of 16, 20, 28 and 32 bytes', () => {
    const { outputLengths, inputLengths, grandHash } = vectors.rfc7693SelfTest;
    const results: Uint8Array[] = [];
    for (const outLen of outputLengths) {
      for (const inLen of inputLengths) {
        const input = selftestSeq(inLen, inLen);
        // The contract has no unkeyed hash shorter than 32 bytes; those few come from the reference.
        results.push(outLen === 32 ? backend.hash(input) : referenceBlake2s(input, undefined, outLen));
        results.push(backend.mac(selftestSeq(outLen, outLen), input, outLen));
      }
    }
    expect(bytesToHex(backend.hash(...results))).toBe(grandHash);
  });

  it('mac defaults to 16 bytes (WireGuard MAC1/MAC2) and validates key and output lengths', () => {
    const key = new Uint8Array(32).fill(1);
    const data = new Uint8Array(100).fill(2);
    expect(backend.mac(key, data).length).toBe(16);
    expect(bytesToHex(backend.mac(key, data))).toBe(bytesToHex(referenceBlake2s(data, key, 16)));
    // MAC2 is keyed with the 16-byte cookie.
    expect(bytesToHex(backend.mac(key.subarray(0, 16), data))).toBe(
      bytesToHex(referenceBlake2s(data, key.subarray(0, 16), 16)),
    );
    expect(codeOf(() => backend.mac(new Uint8Array(0), data))).toBe('BAD_KEY_LENGTH');
    expect(codeOf(() => backend.mac(new Uint8Array(33), data))).toBe('BAD_KEY_LENGTH');
    for (const length of [0, 33, 1.5]) {
      expect(codeOf(() => backend.mac(key, data, length))).toBe('BAD_OUTPUT_LENGTH');
    }
  });

  it('agrees with the reference on 200 random hashes, MACs and HMACs', () => {
    const random = prng(7693);
    for (let i = 0; i < 200; i++) {
      const data = random.bytes(i < 130 ? i : random.int(2001));
      expect(bytesToHex(backend.hash(data))).toBe(bytesToHex(referenceBlake2s(data)));
      const key = random.bytes(1 + random.int(32));
      const outLen = 1 + random.int(32);
      expect(bytesToHex(backend.mac(key, data, outLen))).toBe(
        bytesToHex(referenceBlake2s(data, key, outLen)),
      );
      // HMAC keys longer than the 64-byte block are hashed first (RFC 2104 §2).
      const hmacKey = random.bytes(random.int(150));
      expect(bytesToHex(backend.hmac(hmacKey, data))).toBe(bytesToHex(referenceHmac(hmacKey, data)));
    }
  });
});
