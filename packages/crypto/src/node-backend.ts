/**
 * The accelerated backend on `node:crypto` (OpenSSL): X25519 (secret keys imported as RFC 8410 DER
 * from buffers wiped afterwards, generated ones kept as OpenSSL key objects), BLAKE2s-256, HMAC-BLAKE2s and ChaCha20-Poly1305. OpenSSL has neither
 * keyed BLAKE2s with a 16-byte output nor XChaCha20, so MAC1/MAC2 and cookie replies use noble;
 * every output is byte-identical to the noble backend.
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
  generateKeyPairSync,
  type KeyObject,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';
import { type CryptoBackend, KEY_LENGTH, TAG_LENGTH } from './backend.js';
import { isAllZero } from './bytes.js';
import { CryptoError, expectLength, outputView } from './errors.js';
import { createNobleBackend } from './noble-backend.js';
import { NONCE_LENGTH, writeNonce } from './nonce.js';

const AEAD = 'chacha20-poly1305';
const AEAD_OPTIONS = { authTagLength: TAG_LENGTH } as const;
// DER prefix of an X25519 secret key (RFC 8410 PKCS#8 PrivateKeyInfo), followed by the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

interface CachedKey {
  readonly copy: Uint8Array;
  readonly key: KeyObject;
}

/**
 * Importing a raw key into OpenSSL costs as much as one X25519 operation, so key objects for
 * long-lived keys (the static key, peers' public keys) are cached by array identity. The cached
 * copy is compared before use, so a caller that rewrites or wipes the array never gets a stale key.
 */
function keyCache(importKey: (raw: Uint8Array) => KeyObject) {
  const cache = new WeakMap<Uint8Array, CachedKey>();
  return {
    get(raw: Uint8Array): KeyObject {
      const hit = cache.get(raw);
      if (hit && timingSafeEqual(hit.copy, raw)) return hit.key;
      const key = importKey(raw);
      cache.set(raw, { copy: Uint8Array.from(raw), key });
      return key;
    },
    /** Remembers a key object made by OpenSSL itself (a generated key), so it is never re-imported. */
    remember(raw: Uint8Array, key: KeyObject): void {
      cache.set(raw, { copy: Uint8Array.from(raw), key });
    },
  };
}

/** Imports a secret key behind the PKCS#8 DER prefix, in a buffer of its own (not Node's shared pool) that is wiped afterwards. */
function importSecretDer(raw: Uint8Array): KeyObject {
  const der = Buffer.alloc(PKCS8_PREFIX.length + raw.length);
  PKCS8_PREFIX.copy(der, 0);
  der.set(raw, PKCS8_PREFIX.length);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/**
 * Public keys are not secret, so they go through JWK, which OpenSSL imports about 10x faster than
 * DER: the remote ephemeral of every handshake takes this path.
 */
function importPublicJwk(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

const secretKeys = keyCache(importSecretDer);
const publicKeys = keyCache(importPublicJwk);

/**
 * A fresh key pair made by OpenSSL. Importing a PKCS#8 key costs ~300 µs in OpenSSL 3 (its
 * decoder lookup), which would dominate a handshake; a generated key object is used as is and
 * exported once through JWK. Caveat, documented in the README: the base64url text of an
 * ephemeral secret passes through an immutable JavaScript string that cannot be wiped.
 */
function generateSecretKey(): Uint8Array {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const raw = new Uint8Array(KEY_LENGTH);
  Buffer.from(raw.buffer, raw.byteOffset, KEY_LENGTH).write(jwk.d as string, 'base64url');
  secretKeys.remember(raw, privateKey);
  return raw;
}

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
    generateSecretKey,
    publicKey(secretKey) {
      expectLength('X25519 secret key', secretKey, KEY_LENGTH);
      const jwk = createPublicKey(secretKeys.get(secretKey)).export({ format: 'jwk' });
      // An array of its own (not a view into Node's shared pool): the caller owns the whole buffer.
      const publicKey = new Uint8Array(KEY_LENGTH);
      Buffer.from(publicKey.buffer, 0, KEY_LENGTH).write(jwk.x as string, 'base64url');
      return publicKey;
    },
    sharedSecret(secretKey, publicKey) {
      expectLength('X25519 secret key', secretKey, KEY_LENGTH);
      expectLength('X25519 public key', publicKey, KEY_LENGTH);
      let shared: Uint8Array;
      try {
        shared = toUint8(
          diffieHellman({ privateKey: secretKeys.get(secretKey), publicKey: publicKeys.get(publicKey) }),
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
      const out = output
        ? outputView(output, plaintext.length + TAG_LENGTH)
        : new Uint8Array(plaintext.length + TAG_LENGTH);
      const cipher = createCipheriv(AEAD, key, writeNonce(nonce, counter), AEAD_OPTIONS);
      if (ad.length) cipher.setAAD(ad, { plaintextLength: plaintext.length });
      const body = cipher.update(plaintext);
      cipher.final();
      out.set(body, 0);
      out.set(cipher.getAuthTag(), plaintext.length);
      return out;
    },
    open(key, counter, ciphertext, ad, output) {
      expectLength('ChaCha20-Poly1305 key', key, KEY_LENGTH);
      const length = ciphertext.length - TAG_LENGTH;
      if (length < 0) return null;
      const out = output ? outputView(output, length) : undefined;
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
      if (!out) return toUint8(body);
      out.set(body, 0);
      body.fill(0);
      return out;
    },
    xseal: noble.xseal,
    xopen: noble.xopen,
  };
}

export const nodeBackend: CryptoBackend = createNodeBackend();
