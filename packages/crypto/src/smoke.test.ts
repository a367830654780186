import { describe, expect, it } from 'vitest';
import { bytesToHex, nobleBackend } from './index.js';
import { nodeBackend } from './node-backend.js';

describe('backends agree', () => {
  it('on X25519 public keys', () => {
    const secret = nobleBackend.generateSecretKey();
    expect(bytesToHex(nodeBackend.publicKey(secret))).toBe(bytesToHex(nobleBackend.publicKey(secret)));
  });
});
