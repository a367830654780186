/**
 * The portable backend on @noble/*: X25519 (RFC 7748), BLAKE2s (RFC 7693), HMAC (RFC 2104),
 * ChaCha20-Poly1305 (RFC 8439) and XChaCha20-Poly1305. Imports no `node:` module, so it runs
 * in browsers, Deno and workers.
 */
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2s } from '@noble/hashes/blake2.js';
import { hmac } from '@noble/hashes/hmac.js';
import {
  type CryptoBackend,
  HASH_LENGTH,
  KEY_LENGTH,
  MAC_LENGTH,
  TAG_LENGTH,
  XNONCE_LENGTH,
} from './backend.js';
import { concatBytes, isAllZero } from './bytes.js';
import { CryptoError, expectLength, outputView } from './errors.js';
import { NONCE_LENGTH, writeNonce } from './nonce.js';

const EMPTY = new Uint8Array(0);

export function createNobleBackend(): CryptoBackend {
  const nonce = new Uint8Array(NONCE_LENGTH);
  const randomBytes = (bytes: Uint8Array): Uint8Array => {
    globalThis.crypto.getRandomValues(bytes);
    return bytes;
  };
  return {
    name: 'noble',
    randomBytes,
    generateSecretKey: () => randomBytes(new Uint8Array(KEY_LENGTH)),
    publicKey(secretKey) {
      expectLength('X25519 secret key', secretKey, KEY_LENGTH);
      return x25519.getPublicKey(secretKey);
    },
    sharedSecret(secretKey, publicKey) {
      expectLength('X25519 secret key', secretKey, KEY_LENGTH);
      expectLength('X25519 public key', publicKey, KEY_LENGTH);
      let shared: Uint8Array;
      try {
        shared = x25519.getSharedSecret(secretKey, publicKey);
      } catch {
        // noble refuses low-order points itself; report it the same way as OpenSSL's refusal.
        shared = new Uint8Array(KEY_LENGTH);
      }
      if (isAllZero(shared))
        throw new CryptoError('X25519_ZERO_SHARED_SECRET', 'X25519 shared secret is all zeros');
      return shared;
    },
    hash: (...parts) => blake2s(parts.length === 1 ? parts[0]! : concatBytes(...parts)),
    mac(key, data, outputLength = MAC_LENGTH) {
      // BLAKE2s (RFC 7693 §2.1) takes keys of 1 to 32 bytes and produces 1 to 32 bytes.
      if (key.length < 1 || key.length > KEY_LENGTH) {
        throw new CryptoError('BAD_KEY_LENGTH', `BLAKE2s key must be 1 to 32 bytes, got ${key.length}`);
      }
      if (!Number.isInteger(outputLength) || outputLength < 1 || outputLength > HASH_LENGTH) {
        throw new CryptoError(
          'BAD_OUTPUT_LENGTH',
          `BLAKE2s output must be 1 to 32 bytes, got ${outputLength}`,
        );
      }
      return blake2s(data, { key, dkLen: outputLength });
    },
    hmac: (key, data) => hmac(blake2s, key, data),
    seal(key, counter, plaintext, ad, output) {
      expectLength('ChaCha20-Poly1305 key', key, KEY_LENGTH);
      const out = output ? outputView(output, plaintext.length + TAG_LENGTH) : undefined;
      return chacha20poly1305(key, writeNonce(nonce, counter), ad.length ? ad : EMPTY).encrypt(
        plaintext,
        out,
      );
    },
    open(key, counter, ciphertext, ad, output) {
      expectLength('ChaCha20-Poly1305 key', key, KEY_LENGTH);
      if (ciphertext.length < TAG_LENGTH) return null;
      // Checked before decrypting: a short buffer is the caller's bug, not a forgery, so it must not read as `null`.
      const out = output ? outputView(output, ciphertext.length - TAG_LENGTH) : undefined;
      // Outside the try: a bad counter is a CryptoError, as in seal, not a forgery.
      const iv = writeNonce(nonce, counter);
      try {
        // noble compares the tag in constant time before decrypting.
        return chacha20poly1305(key, iv, ad.length ? ad : EMPTY).decrypt(ciphertext, out);
      } catch {
        return null;
      }
    },
    xseal(key, xnonce, plaintext, ad) {
      expectLength('XChaCha20-Poly1305 key', key, KEY_LENGTH);
      expectLength('XChaCha20-Poly1305 nonce', xnonce, XNONCE_LENGTH, 'BAD_NONCE_LENGTH');
      return xchacha20poly1305(key, xnonce, ad).encrypt(plaintext);
    },
    xopen(key, xnonce, ciphertext, ad) {
      expectLength('XChaCha20-Poly1305 key', key, KEY_LENGTH);
      expectLength('XChaCha20-Poly1305 nonce', xnonce, XNONCE_LENGTH, 'BAD_NONCE_LENGTH');
      if (ciphertext.length < TAG_LENGTH) return null;
      try {
        return xchacha20poly1305(key, xnonce, ad).decrypt(ciphertext);
      } catch {
        return null;
      }
    },
  };
}

/** The default backend instance. */
export const nobleBackend: CryptoBackend = createNobleBackend();
