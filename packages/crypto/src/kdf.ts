/**
 * WireGuard's key derivation (whitepaper §5.4.2, "Kdf_n"): HKDF with HMAC-BLAKE2s, where the
 * chaining key is the HKDF salt and `input` the key material.
 *
 *   τ0 = HMAC(key, input); τ1 = HMAC(τ0, 0x1); τi = HMAC(τ0, τ(i-1) || i)
 */
import type { CryptoBackend } from './backend.js';
import { wipe } from './bytes.js';

/** Returns `count` (1 to 3) 32-byte outputs of Kdf_count(key, input). */
export function kdf(
  backend: CryptoBackend,
  count: 1 | 2 | 3,
  key: Uint8Array,
  input: Uint8Array,
): Uint8Array[] {
  const prk = backend.hmac(key, input);
  const outputs: Uint8Array[] = [];
  const block = new Uint8Array(33);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1; i <= count; i++) {
    block.set(previous, 0);
    block[previous.length] = i;
    previous = backend.hmac(prk, block.subarray(0, previous.length + 1));
    outputs.push(previous);
  }
  wipe(prk, block);
  return outputs;
}

export function kdf1(backend: CryptoBackend, key: Uint8Array, input: Uint8Array): [Uint8Array] {
  return kdf(backend, 1, key, input) as [Uint8Array];
}

export function kdf2(backend: CryptoBackend, key: Uint8Array, input: Uint8Array): [Uint8Array, Uint8Array] {
  return kdf(backend, 2, key, input) as [Uint8Array, Uint8Array];
}

export function kdf3(
  backend: CryptoBackend,
  key: Uint8Array,
  input: Uint8Array,
): [Uint8Array, Uint8Array, Uint8Array] {
  return kdf(backend, 3, key, input) as [Uint8Array, Uint8Array, Uint8Array];
}
