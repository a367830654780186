import { describe, expect, it } from 'vitest';
import { bytesToHex, CryptoError } from './index.js';
import { backends, hex, libsodium, loadVectors, prng } from './vectors.test-helper.js';

const v =
  loadVectors<Record<'key' | 'nonce' | 'aad' | 'plaintext' | 'ciphertext' | 'tag', string>>(
    'xchacha20poly1305',
  );

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof CryptoError ? error.code : `not a CryptoError: ${String(error)}`;
  }
  return undefined;
}

describe.each(backends)('XChaCha20-Poly1305 on the $name backend', (backend) => {
  it('matches draft-irtf-cfrg-xchacha-03 §A.3.1', () => {
    const sealed = backend.xseal(hex(v.key), hex(v.nonce), hex(v.plaintext), hex(v.aad));
    expect(bytesToHex(sealed)).toBe(v.ciphertext + v.tag);
    expect(bytesToHex(backend.xopen(hex(v.key), hex(v.nonce), sealed, hex(v.aad))!)).toBe(v.plaintext);
  });

  it('returns null for tampered ciphertext, tag, nonce or AD, and for short input', () => {
    const sealed = hex(v.ciphertext + v.tag);
    for (const index of [0, 57, sealed.length - 16, sealed.length - 1]) {
      const forged = sealed.slice();
      forged[index]! ^= 0x10;
      expect(backend.xopen(hex(v.key), hex(v.nonce), forged, hex(v.aad))).toBeNull();
    }
    const nonce = hex(v.nonce);
    nonce[23]! ^= 1;
    expect(backend.xopen(hex(v.key), nonce, sealed, hex(v.aad))).toBeNull();
    expect(backend.xopen(hex(v.key), hex(v.nonce), sealed, new Uint8Array())).toBeNull();
    expect(backend.xopen(hex(v.key), hex(v.nonce), sealed.subarray(0, 15), hex(v.aad))).toBeNull();
  });

  it('throws BAD_KEY_LENGTH and BAD_NONCE_LENGTH for wrong sizes', () => {
    const empty = new Uint8Array();
    expect(codeOf(() => backend.xseal(new Uint8Array(31), new Uint8Array(24), empty, empty))).toBe(
      'BAD_KEY_LENGTH',
    );
    expect(
      codeOf(() => backend.xopen(new Uint8Array(33), new Uint8Array(24), new Uint8Array(16), empty)),
    ).toBe('BAD_KEY_LENGTH');
    for (const length of [0, 12, 23, 25]) {
      expect(codeOf(() => backend.xseal(new Uint8Array(32), new Uint8Array(length), empty, empty))).toBe(
        'BAD_NONCE_LENGTH',
      );
      expect(
        codeOf(() => backend.xopen(new Uint8Array(32), new Uint8Array(length), new Uint8Array(16), empty)),
      ).toBe('BAD_NONCE_LENGTH');
    }
  });
});

interface WycheproofCase {
  tcId: number;
  comment: string;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid';
}
const wycheproof = loadVectors<{ tests: WycheproofCase[] }>('wycheproof-xchacha20poly1305');

describe.each(backends)('Wycheproof XChaCha20-Poly1305 vectors on the $name backend', (backend) => {
  it.each(wycheproof.tests)('#$tcId $comment ($result)', (t) => {
    const [key, nonce, ad] = [hex(t.key), hex(t.iv), hex(t.aad)];
    const opened = backend.xopen(key, nonce, hex(t.ct + t.tag), ad);
    if (t.result === 'valid') {
      expect(bytesToHex(backend.xseal(key, nonce, hex(t.msg), ad))).toBe(t.ct + t.tag);
      expect(opened && bytesToHex(opened)).toBe(t.msg);
    } else {
      expect(opened).toBeNull();
    }
  });
});

// libsodium (compiled from its C sources, no code shared with @noble/ciphers, which the node backend
// also uses for XChaCha): an implementation that can disagree with both backends.
const sodium = await libsodium();

describe.each(backends)('XChaCha20-Poly1305 on the $name backend agrees with libsodium', (backend) => {
  it('on 200 random cases (cookie replies seal 16 bytes; lengths 0..2000 here), both directions', () => {
    const random = prng(24);
    for (let i = 0; i < 200; i++) {
      const [key, nonce] = [random.bytes(32), random.bytes(24)];
      const pt = random.bytes(i % 5 === 0 ? 16 : random.int(2001));
      const ad = random.bytes(random.int(65));
      const sealed = backend.xseal(key, nonce, pt, ad);
      const theirs = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(pt, ad, null, nonce, key);
      expect(bytesToHex(sealed)).toBe(bytesToHex(theirs));
      expect(bytesToHex(backend.xopen(key, nonce, theirs, ad)!)).toBe(bytesToHex(pt));
      const forged = theirs.slice();
      forged[random.int(forged.length)]! ^= 1 << random.int(8);
      expect(backend.xopen(key, nonce, forged, ad)).toBeNull();
    }
  });
});
