/**
 * The Noise SymmetricState (Noise spec §5.2) as WireGuard uses it: a chaining key `ck` and a
 * handshake hash `h`, with every key used for exactly one AEAD message at nonce 0.
 */
import { type CryptoBackend, kdf1, kdf2, kdf3, wipe } from '@pathwire/crypto';
import { CONSTRUCTION, IDENTIFIER } from './constants.js';

const EMPTY = new Uint8Array(0);

export class SymmetricState {
  constructor(
    private readonly backend: CryptoBackend,
    public chainingKey: Uint8Array,
    public hash: Uint8Array,
  ) {}

  /** InitializeSymmetric(protocol_name) then MixHash(prologue) then MixHash(rs) for IK. */
  static initialize(backend: CryptoBackend, responderStatic: Uint8Array): SymmetricState {
    const chainingKey = backend.hash(CONSTRUCTION);
    const hash = backend.hash(backend.hash(chainingKey, IDENTIFIER), responderStatic);
    return new SymmetricState(backend, chainingKey, hash);
  }

  mixHash(data: Uint8Array): void {
    this.hash = this.backend.hash(this.hash, data);
  }

  /** WireGuard's `C = KDF1(C, input)`: used for `e` (psk mode) and `ee`/`se` in the response. */
  mixChainingKey(input: Uint8Array): void {
    const [chainingKey] = kdf1(this.backend, this.chainingKey, input);
    wipe(this.chainingKey);
    this.chainingKey = chainingKey;
  }

  /** MixKey(input): `(C, κ) = KDF2(C, input)`; returns κ. */
  mixKey(input: Uint8Array): Uint8Array {
    const [chainingKey, key] = kdf2(this.backend, this.chainingKey, input);
    wipe(this.chainingKey);
    this.chainingKey = chainingKey;
    return key;
  }

  /** MixKeyAndHash(psk): `(C, τ, κ) = KDF3(C, psk)`; `H = HASH(H || τ)`; returns κ. */
  mixKeyAndHash(input: Uint8Array): Uint8Array {
    const [chainingKey, temp, key] = kdf3(this.backend, this.chainingKey, input);
    wipe(this.chainingKey);
    this.chainingKey = chainingKey;
    this.mixHash(temp);
    wipe(temp);
    return key;
  }

  /** EncryptAndHash(plaintext) with key κ at nonce 0; κ is wiped. */
  encryptAndHash(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.backend.seal(key, 0, plaintext, this.hash);
    wipe(key);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** DecryptAndHash(ciphertext); null when the tag does not verify; κ is wiped. */
  decryptAndHash(key: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const plaintext = this.backend.open(key, 0, ciphertext, this.hash);
    wipe(key);
    if (plaintext) this.mixHash(ciphertext);
    return plaintext;
  }

  /** Split(): `(T1, T2) = KDF2(C, ε)`; the state is wiped. */
  split(): [Uint8Array, Uint8Array] {
    const keys = kdf2(this.backend, this.chainingKey, EMPTY);
    this.wipe();
    return keys;
  }

  wipe(): void {
    wipe(this.chainingKey, this.hash);
  }

  clone(): SymmetricState {
    return new SymmetricState(this.backend, Uint8Array.from(this.chainingKey), Uint8Array.from(this.hash));
  }
}
