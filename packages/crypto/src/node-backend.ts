/**
 * The accelerated backend on `node:crypto` (OpenSSL): X25519, BLAKE2s-256, HMAC-BLAKE2s and
 * ChaCha20-Poly1305. OpenSSL has neither keyed BLAKE2s with a 16-byte output nor XChaCha20,
 * so MAC1/MAC2 and cookie replies use noble; every output is byte-identical to the noble
 * backend.
 *
 * @example
 * ```ts
 * import { nodeBackend } from '@pathwire/crypto/node';
 * const secret = nodeBackend.generateSecretKey();
 * console.log(nodeBackend.publicKey(secret).length); // 32
 * ```
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';
import { type CryptoBackend, KEY_LENGTH, TAG_LENGTH } from './backend.js';
import { isAllZero } from './bytes.js';
import { CryptoError, expectLength } from './errors.js';
import { createNobleBackend } from './noble-backend.js';
import { NONCE_LENGTH, writeNonce } from './nonce.js';

const AEAD = 'chacha20-poly1305';
const AEAD_OPTIONS = { authTagLength: TAG_LENGTH } as const;
// OpenSSL ignores `x` when importing an X25519 private key from a JWK; Node requires it to be present.
const PLACEHOLDER_X = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

interface CachedKey {
  readonly copy: Uint8Array;
  readonly key: KeyObject;
}

/**
 * Importing a raw key into OpenSSL costs as much as one X25519 operation, so key objects for
 * long-lived keys (the static key, peers' public keys) are cached by array identity. The cached
 * copy is compared before use, so a caller that rewrites or wipes the array never gets a stale key.
 */
function keyCache(importKey: (raw: Uint8Array) => KeyObject): (raw: Uint8Array) => KeyObject {
  const cache = new WeakMap<Uint8Array, CachedKey>();
  return (raw) => {
    const hit = cache.get(raw);
    if (hit && timingSafeEqual(hit.copy, raw)) return hit.key;
    const key = importKey(raw);
    cache.set(raw, { copy: Uint8Array.from(raw), key });
    return key;
  };
}

const importSecretKey = keyCache((raw) =>
  createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(raw).toString('base64url'), x: PLACEHOLDER_X },
    format: 'jwk',
  }),
);
const importPublicKey = keyCache((raw) =>
  createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  }),
);

function toUint8(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export function createNodeBackend(): CryptoBackend {
  const noble = createNobleBackend();
  const nonce = Buffer.alloc(NONCE_LENGTH);
  const randomBytes = (bytes: Uint8Array): Uint8Array => {
    randomFillSync(bytes);
    return bytes;
  };
  return {
    name: 'node',
    randomBytes,
    generateSecretKey: () => randomBytes(new Uint8Array(KEY_LENGTH)),
    publicKey(secretKey) {
      expectLength('X25519 secret key', secretKey, KEY_LENGTH);
      const jwk = createPublicKey(importSecretKey(secretKey)).export({ format: 'jwk' });
      return toUint8(Buffer.from(jwk.x as string, 'base64url'));
    },
    sharedSecret(secretKey, publicKey) {
      expectLength('X25519 secret key', secretKey, KEY_LENGTH);
      expectLength('X25519 public key', publicKey, KEY_LENGTH);
      let shared: Uint8Array;
      try {
        shared = toUint8(
          diffieHellman({ privateKey: importSecretKey(secretKey), publicKey: importPublicKey(publicKey) }),
        );
      } catch {
        // OpenSSL refuses to derive an all-zero secret (RFC 7748 §6.1).
        shared = new Uint8Array(KEY_LENGTH);
      }
      if (isAllZero(shared))
        throw new CryptoError('X25519_ZERO_SHARED_SECRET', 'X25519 shared secret is all zeros');
      return shared;
    },
    hash(...parts) {
      const hash = createHash('blake2s256');
      for (const part of parts) hash.update(part);
      return toUint8(hash.digest());
    },
    mac: noble.mac,
    hmac: (key, data) => toUint8(createHmac('blake2s256', key).update(data).digest()),
    seal(key, counter, plaintext, ad, output) {
      expectLength('ChaCha20-Poly1305 key', key, KEY_LENGTH);
      const cipher = createCipheriv(AEAD, key, writeNonce(nonce, counter), AEAD_OPTIONS);
      if (ad.length) cipher.setAAD(ad, { plaintextLength: plaintext.length });
      const body = cipher.update(plaintext);
      cipher.final();
      const out = output
        ? output.subarray(0, plaintext.length + TAG_LENGTH)
        : new Uint8Array(plaintext.length + TAG_LENGTH);
      out.set(body, 0);
      out.set(cipher.getAuthTag(), plaintext.length);
      return out;
    },
    open(key, counter, ciphertext, ad, output) {
      expectLength('ChaCha20-Poly1305 key', key, KEY_LENGTH);
      const length = ciphertext.length - TAG_LENGTH;
      if (length < 0) return null;
      const decipher = createDecipheriv(AEAD, key, writeNonce(nonce, counter), AEAD_OPTIONS);
      decipher.setAuthTag(ciphertext.subarray(length));
      if (ad.length) decipher.setAAD(ad, { plaintextLength: length });
      const body = decipher.update(ciphertext.subarray(0, length));
      try {
        // OpenSSL compares the tag in constant time here; nothing is released before it passes.
        decipher.final();
      } catch {
        body.fill(0);
        return null;
      }
      if (!output) return toUint8(body);
      const out = output.subarray(0, length);
      out.set(body, 0);
      return out;
    },
    xseal: noble.xseal,
    xopen: noble.xopen,
  };
}

export const nodeBackend: CryptoBackend = createNodeBackend();
