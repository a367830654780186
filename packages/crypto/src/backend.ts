/**
 * The crypto backend contract: every primitive WireGuard uses (whitepaper §5.4 "Cryptographic
 * Primitives"), behind one interface so that noise and transport run on noble in a browser
 * and on OpenSSL in Node. Both backends produce identical bytes.
 */

export const KEY_LENGTH = 32;
export const HASH_LENGTH = 32;
export const MAC_LENGTH = 16;
export const TAG_LENGTH = 16;
export const XNONCE_LENGTH = 24;

export interface CryptoBackend {
  /** Short backend name: `noble` or `node`. */
  readonly name: string;

  /** A fresh clamped-or-not 32-byte X25519 secret key from a CSPRNG (RFC 7748 §5). */
  generateSecretKey(): Uint8Array;
  /** X25519(secret, 9): the public key of a secret key. */
  publicKey(secretKey: Uint8Array): Uint8Array;
  /**
   * X25519(secret, public). Throws `CryptoError` with code `X25519_ZERO_SHARED_SECRET` when the
   * result is all zeros (a low-order public key, RFC 7748 §6.1).
   */
  sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;

  /** BLAKE2s-256 of the concatenation of `parts` (RFC 7693). */
  hash(...parts: Uint8Array[]): Uint8Array;
  /** Keyed BLAKE2s with `outputLength` bytes of output (WireGuard's MAC: 16 bytes). */
  mac(key: Uint8Array, data: Uint8Array, outputLength?: number): Uint8Array;
  /** HMAC-BLAKE2s (RFC 2104 over BLAKE2s-256, block size 64). */
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;

  /**
   * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 32 zero bits then `counter` as a
   * 64-bit little-endian integer. Writes ciphertext || tag (plaintext.length + 16 bytes) into
   * `output` when given (it may not overlap `plaintext` unless it is the same region), and
   * returns the written view.
   */
  seal(
    key: Uint8Array,
    counter: number,
    plaintext: Uint8Array,
    ad: Uint8Array,
    output?: Uint8Array,
  ): Uint8Array;
  /**
   * Verifies the tag in constant time, then decrypts. Returns the plaintext view
   * (ciphertext.length - 16 bytes, written into `output` when given) or `null` when the tag
   * does not verify. Never throws for bad ciphertext.
   */
  open(
    key: Uint8Array,
    counter: number,
    ciphertext: Uint8Array,
    ad: Uint8Array,
    output?: Uint8Array,
  ): Uint8Array | null;

  /** XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) seal with a 24-byte nonce; used by cookie replies. */
  xseal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array;
  /** XChaCha20-Poly1305 open; `null` when the tag does not verify. */
  xopen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null;

  /** Fills `bytes` with cryptographically secure random bytes and returns it. */
  randomBytes(bytes: Uint8Array): Uint8Array;
}
