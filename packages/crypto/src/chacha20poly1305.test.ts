import { describe, expect, it } from 'vitest';
import { bytesToHex, CryptoError, NONCE_LENGTH, writeNonce } from './index.js';
import {
  backends,
  hex,
  libsodium,
  loadVectors,
  nobleRawSeal,
  nodeRawOpen,
  nodeRawSeal,
  prng,
} from './vectors.test-helper.js';

interface RfcVector {
  key: string;
  nonce: string;
  aad: string;
  plaintext: string;
  ciphertext: string;
  tag: string;
  counter?: string;
}
const rfc = loadVectors<Record<'rfc8439_2_8_2' | 'rfc8439_A_5', RfcVector>>('chacha20poly1305');
const wg = loadVectors<{
  cases: { key: string; counter: number; plaintext: string; ad: string; sealed: string }[];
}>('wireguard-aead');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof CryptoError ? error.code : `not a CryptoError: ${String(error)}`;
  }
  return undefined;
}

describe('RFC 8439 AEAD vectors (full 12-byte nonce, through noble and node:crypto directly)', () => {
  it.each(Object.entries(rfc))('%s seals and opens in both libraries', (_, v) => {
    const [key, nonce, aad, pt] = [hex(v.key), hex(v.nonce), hex(v.aad), hex(v.plaintext)];
    const sealed = v.ciphertext + v.tag;
    expect(bytesToHex(nobleRawSeal(key, nonce, pt, aad))).toBe(sealed);
    expect(bytesToHex(nodeRawSeal(key, nonce, pt, aad))).toBe(sealed);
    expect(bytesToHex(nodeRawOpen(key, nonce, hex(sealed), aad) ?? new Uint8Array())).toBe(v.plaintext);
    const forged = hex(sealed);
    forged[forged.length - 1]! ^= 1;
    expect(nodeRawOpen(key, nonce, forged, aad)).toBeNull();
  });

  it('the A.5 nonce is a WireGuard nonce: 4 zero bytes then its counter as 64-bit little-endian', () => {
    const { nonce, counter } = rfc.rfc8439_A_5;
    const built = new Uint8Array(NONCE_LENGTH);
    new DataView(built.buffer).setBigUint64(4, BigInt(counter!), true);
    expect(bytesToHex(built)).toBe(nonce);
    // ... but its counter is past 2^53, so the contract (a JS number) cannot express it.
    expect(Number.isSafeInteger(Number(BigInt(counter!)))).toBe(false);
  });
});

describe('writeNonce', () => {
  it.each([
    [0, '000000000000000000000000'],
    [1, '000000000100000000000000'],
    [0xffffffff, '00000000ffffffff00000000'],
    [0x100000000, '000000000000000001000000'],
    [0x0102030405, '000000000504030201000000'],
    [2 ** 53 - 1, '00000000ffffffffffff1f00'],
  ])('lays out counter %d as %s', (counter, expected) => {
    expect(bytesToHex(writeNonce(new Uint8Array(12).fill(0xaa), counter))).toBe(expected);
  });

  it.each([-1, 0.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY])('refuses counter %d', (counter) => {
    expect(codeOf(() => writeNonce(new Uint8Array(12), counter))).toBe('COUNTER_OUT_OF_RANGE');
  });
});

describe.each(backends)('ChaCha20-Poly1305 with the WireGuard nonce on the $name backend', (backend) => {
  it.each(wg.cases)('seals and opens the reference case at counter $counter', (v) => {
    const [key, pt, ad] = [hex(v.key), hex(v.plaintext), hex(v.ad)];
    expect(bytesToHex(backend.seal(key, v.counter, pt, ad))).toBe(v.sealed);
    expect(bytesToHex(backend.open(key, v.counter, hex(v.sealed), ad) ?? new Uint8Array([1]))).toBe(
      v.plaintext,
    );
  });

  it('returns null, never throws, for any tampering', () => {
    const v = wg.cases[5]!;
    const [key, ad, sealed] = [hex(v.key), hex(v.ad), hex(v.sealed)];
    for (let i = 0; i < sealed.length; i++) {
      const forged = sealed.slice();
      forged[i]! ^= 1 << (i % 8); // every byte of ciphertext and tag
      expect(backend.open(key, v.counter, forged, ad)).toBeNull();
    }
    const otherAd = ad.slice();
    otherAd[0]! ^= 1;
    expect(backend.open(key, v.counter, sealed, otherAd)).toBeNull();
    expect(backend.open(key, v.counter, sealed, ad.subarray(1))).toBeNull();
    expect(backend.open(key, v.counter + 1, sealed, ad)).toBeNull();
    const otherKey = key.slice();
    otherKey[31]! ^= 0x80;
    expect(backend.open(otherKey, v.counter, sealed, ad)).toBeNull();
    for (const length of [0, 1, 15]) expect(backend.open(key, 0, sealed.subarray(0, length), ad)).toBeNull();
    expect(backend.open(key, v.counter, sealed.subarray(0, sealed.length - 1), ad)).toBeNull();
  });

  it('writes into caller buffers and leaves the rest untouched', () => {
    const key = new Uint8Array(32).fill(3);
    const pt = Uint8Array.from({ length: 100 }, (_, i) => i);
    const ad = new Uint8Array([1, 2, 3]);
    const expected = bytesToHex(backend.seal(key, 9, pt, ad));
    const out = new Uint8Array(150).fill(0xee);
    const written = backend.seal(key, 9, pt, ad, out);
    expect(written.buffer).toBe(out.buffer);
    expect(written.byteOffset).toBe(0);
    expect(bytesToHex(written)).toBe(expected);
    expect(out.subarray(116).every((byte) => byte === 0xee)).toBe(true);

    const plain = new Uint8Array(120).fill(0xee);
    const opened = backend.open(key, 9, written, ad, plain);
    expect(opened?.buffer).toBe(plain.buffer);
    expect(bytesToHex(opened!)).toBe(bytesToHex(pt));
    expect(plain.subarray(100).every((byte) => byte === 0xee)).toBe(true);
  });

  it('seals and opens in place (output is the same region as the input)', () => {
    const key = new Uint8Array(32).fill(5);
    const pt = Uint8Array.from({ length: 77 }, (_, i) => i * 3);
    const expected = bytesToHex(backend.seal(key, 2, pt, new Uint8Array()));
    const region = new Uint8Array(77 + 16);
    region.set(pt);
    expect(bytesToHex(backend.seal(key, 2, region.subarray(0, 77), new Uint8Array(), region))).toBe(expected);
    expect(bytesToHex(backend.open(key, 2, region, new Uint8Array(), region)!)).toBe(bytesToHex(pt));
  });

  it('does not release plaintext into the output buffer when the tag fails', () => {
    const key = new Uint8Array(32).fill(6);
    const sealed = backend.seal(key, 0, new Uint8Array(64).fill(0x41), new Uint8Array());
    sealed[70]! ^= 1;
    const out = new Uint8Array(64);
    expect(backend.open(key, 0, sealed, new Uint8Array(), out)).toBeNull();
    expect(out.every((byte) => byte === 0)).toBe(true);
  });

  it('throws BAD_OUTPUT_LENGTH (not null) for an output buffer that is too short', () => {
    const key = new Uint8Array(32);
    const sealed = backend.seal(key, 0, new Uint8Array(40), new Uint8Array());
    expect(codeOf(() => backend.seal(key, 0, new Uint8Array(40), new Uint8Array(), new Uint8Array(55)))).toBe(
      'BAD_OUTPUT_LENGTH',
    );
    expect(codeOf(() => backend.open(key, 0, sealed, new Uint8Array(), new Uint8Array(39)))).toBe(
      'BAD_OUTPUT_LENGTH',
    );
  });

  it('throws BAD_KEY_LENGTH for keys that are not 32 bytes and COUNTER_OUT_OF_RANGE for bad counters', () => {
    for (const length of [0, 16, 31, 33]) {
      const key = new Uint8Array(length);
      expect(codeOf(() => backend.seal(key, 0, new Uint8Array(1), new Uint8Array()))).toBe('BAD_KEY_LENGTH');
      expect(codeOf(() => backend.open(key, 0, new Uint8Array(17), new Uint8Array()))).toBe('BAD_KEY_LENGTH');
    }
    const key = new Uint8Array(32);
    expect(codeOf(() => backend.seal(key, -1, new Uint8Array(1), new Uint8Array()))).toBe(
      'COUNTER_OUT_OF_RANGE',
    );
    expect(codeOf(() => backend.open(key, 2 ** 53, new Uint8Array(17), new Uint8Array()))).toBe(
      'COUNTER_OUT_OF_RANGE',
    );
  });
});

// libsodium's crypto_aead_chacha20poly1305_ietf (its own C code) with the WireGuard nonce
// 00000000 || LE64(counter): the independent check of the noble-generated reference cases above.
const sodium = await libsodium();
const sodiumSeal = (key: Uint8Array, counter: number, pt: Uint8Array, ad: Uint8Array) =>
  sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
    pt,
    ad,
    null,
    writeNonce(new Uint8Array(NONCE_LENGTH), counter),
    key,
  );

describe('the generated WireGuard-nonce cases agree with libsodium', () => {
  it.each(wg.cases)('counter $counter', (v) => {
    expect(bytesToHex(sodiumSeal(hex(v.key), v.counter, hex(v.plaintext), hex(v.ad)))).toBe(v.sealed);
  });
});

describe.each(backends)('ChaCha20-Poly1305 on the $name backend agrees with libsodium', (backend) => {
  it('on 200 random cases (lengths 0..2000, AD 0..128, counters up to 2^53-1), both directions', () => {
    const random = prng(7539);
    for (let i = 0; i < 200; i++) {
      const key = random.bytes(32);
      const counter = i % 3 === 0 ? random.int(1000) : random.int(2 ** 21) * 2 ** 32 + random.int(2 ** 32);
      const pt = random.bytes(i < 10 ? i : random.int(2001));
      const ad = random.bytes(random.int(129));
      const theirs = sodiumSeal(key, counter, pt, ad);
      expect(bytesToHex(backend.seal(key, counter, pt, ad))).toBe(bytesToHex(theirs));
      expect(bytesToHex(backend.open(key, counter, theirs, ad)!)).toBe(bytesToHex(pt));
    }
  });
});

describe('ChaCha20-Poly1305 backends agree', () => {
  const [noble, node] = backends as [(typeof backends)[0], (typeof backends)[0]];

  it('on 200 random cases (lengths 0..2000, AD 0..128, counters up to 2^53-1)', () => {
    const random = prng(8439);
    for (let i = 0; i < 200; i++) {
      const key = random.bytes(32);
      const counter = i % 3 === 0 ? random.int(1000) : random.int(2 ** 21) * 2 ** 32 + random.int(2 ** 32);
      const pt = random.bytes(i < 10 ? i : random.int(2001));
      const ad = random.bytes(random.int(129));
      const sealed = noble.seal(key, counter, pt, ad);
      expect(sealed.length).toBe(pt.length + 16);
      expect(bytesToHex(node.seal(key, counter, pt, ad))).toBe(bytesToHex(sealed));
      expect(bytesToHex(node.open(key, counter, sealed, ad)!)).toBe(bytesToHex(pt));
      expect(bytesToHex(noble.open(key, counter, sealed, ad)!)).toBe(bytesToHex(pt));
      const forged = sealed.slice();
      forged[random.int(forged.length)]! ^= 1 << random.int(8);
      expect(noble.open(key, counter, forged, ad)).toBeNull();
      expect(node.open(key, counter, forged, ad)).toBeNull();
    }
  });
});
