import { describe, expect, it } from 'vitest';
import { bytesToHex } from './index.js';
import { ascii, backends, loadVectors } from './vectors.test-helper.js';

const v =
  loadVectors<Record<'construction' | 'identifier' | 'chainingKey' | 'initialHash', string>>(
    'wireguard-constants',
  );

describe.each(backends)('WireGuard construction and identifier hashes on the $name backend', (backend) => {
  it('C_i = HASH(Construction) equals boringtun INITIAL_CHAIN_KEY', () => {
    expect(v.construction).toHaveLength(37);
    expect(bytesToHex(backend.hash(ascii(v.construction)))).toBe(v.chainingKey);
  });

  it('H_i = HASH(C_i || Identifier) equals boringtun INITIAL_CHAIN_HASH', () => {
    expect(v.identifier).toHaveLength(34);
    const chainingKey = backend.hash(ascii(v.construction));
    expect(bytesToHex(backend.hash(chainingKey, ascii(v.identifier)))).toBe(v.initialHash);
  });
});
