/**
 * Test-only support (excluded from the build): vector loading, a seeded PRNG, the two backends, raw
 * AEAD calls with a full 12-byte nonce (for RFC vectors that are not WireGuard nonces), and an
 * independent BLAKE2s / HMAC-BLAKE2s written from RFC 7693 §3 and RFC 2104 to cross-check both backends,
 * including the keyed BLAKE2s that the node backend borrows from noble.
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import sodium from 'libsodium-wrappers';
import type { CryptoBackend } from './backend.js';
import { hexToBytes } from './bytes.js';
import { nobleBackend } from './noble-backend.js';
import { nodeBackend } from './node-backend.js';

export const backends: readonly CryptoBackend[] = [nobleBackend, nodeBackend];

/** libsodium (libsodium-wrappers, a dev dependency): an AEAD implementation independent of noble. */
export async function libsodium(): Promise<typeof sodium> {
  await sodium.ready;
  return sodium;
}

export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../test/vectors/${name}.json`, import.meta.url), 'utf8')) as T;
}

export const hex = hexToBytes;
export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** xorshift32: deterministic "random" cases, so a failure replays. */
export function prng(seed: number): { int(max: number): number; bytes(length: number): Uint8Array } {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return {
    int: (max) => next() % max,
    bytes: (length) => Uint8Array.from({ length }, () => next() & 255),
  };
}

/** RFC 8439 AEAD with an arbitrary 12-byte nonce, straight from @noble/ciphers. */
export function nobleRawSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array) {
  return chacha20poly1305(key, nonce, ad).encrypt(plaintext);
}

/** RFC 8439 AEAD open with an arbitrary 12-byte nonce, straight from node:crypto; null on a bad tag. */
export function nodeRawOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array) {
  const length = sealed.length - 16;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  decipher.setAAD(ad, { plaintextLength: length });
  decipher.setAuthTag(sealed.subarray(length));
  const body = decipher.update(sealed.subarray(0, length));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return new Uint8Array(body);
}

export function nodeRawSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array) {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  cipher.setAAD(ad, { plaintextLength: plaintext.length });
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

// ---- Reference BLAKE2s, RFC 7693 §3 (slow and simple on purpose) ----

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const rotr = (x: number, n: number): number => ((x >>> n) | (x << (32 - n))) >>> 0;

function compress(h: number[], block: Uint8Array, t: number, last: boolean): void {
  const m = Array.from({ length: 16 }, (_, i) =>
    new DataView(block.buffer, block.byteOffset).getUint32(i * 4, true),
  );
  const v = [...h, ...IV];
  v[12] = (v[12]! ^ t) >>> 0; // t < 2^32 in these tests
  if (last) v[14] = ~v[14]! >>> 0;
  const g = (a: number, b: number, c: number, d: number, x: number, y: number): void => {
    v[a] = (v[a]! + v[b]! + x) >>> 0;
    v[d] = rotr(v[d]! ^ v[a]!, 16);
    v[c] = (v[c]! + v[d]!) >>> 0;
    v[b] = rotr(v[b]! ^ v[c]!, 12);
    v[a] = (v[a]! + v[b]! + y) >>> 0;
    v[d] = rotr(v[d]! ^ v[a]!, 8);
    v[c] = (v[c]! + v[d]!) >>> 0;
    v[b] = rotr(v[b]! ^ v[c]!, 7);
  };
  for (const s of SIGMA) {
    g(0, 4, 8, 12, m[s[0]!]!, m[s[1]!]!);
    g(1, 5, 9, 13, m[s[2]!]!, m[s[3]!]!);
    g(2, 6, 10, 14, m[s[4]!]!, m[s[5]!]!);
    g(3, 7, 11, 15, m[s[6]!]!, m[s[7]!]!);
    g(0, 5, 10, 15, m[s[8]!]!, m[s[9]!]!);
    g(1, 6, 11, 12, m[s[10]!]!, m[s[11]!]!);
    g(2, 7, 8, 13, m[s[12]!]!, m[s[13]!]!);
    g(3, 4, 9, 14, m[s[14]!]!, m[s[15]!]!);
  }
  for (let i = 0; i < 8; i++) h[i] = (h[i]! ^ v[i]! ^ v[i + 8]!) >>> 0;
}

/** BLAKE2s with `outputLength` bytes of output and an optional key of 1 to 32 bytes. */
export function referenceBlake2s(
  data: Uint8Array,
  key: Uint8Array = new Uint8Array(0),
  outputLength = 32,
): Uint8Array {
  const h = [...IV];
  h[0] = (h[0]! ^ 0x01010000 ^ (key.length << 8) ^ outputLength) >>> 0;
  const padded = new Uint8Array(key.length ? 64 + data.length : data.length);
  padded.set(key, 0);
  padded.set(data, key.length ? 64 : 0);
  const blocks = Math.max(1, Math.ceil(padded.length / 64));
  for (let i = 0; i < blocks; i++) {
    const block = new Uint8Array(64);
    block.set(padded.subarray(i * 64, i * 64 + 64));
    const last = i === blocks - 1;
    compress(h, block, last ? padded.length : (i + 1) * 64, last);
  }
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setUint32(i * 4, h[i]!, true);
  return out.slice(0, outputLength);
}

/** HMAC (RFC 2104) over the reference BLAKE2s-256, block size 64. */
export function referenceHmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? referenceBlake2s(key) : key);
  const inner = new Uint8Array(64 + data.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  inner.set(data, 64);
  outer.set(referenceBlake2s(inner), 64);
  return referenceBlake2s(outer);
}
