import { base64ToBytes, decodeKey } from '@pathwire/crypto';
import { describe, expect, it } from 'vitest';
import { BAD_PADDING_KEY, PEER_1, PRIVATE_KEY, PSK } from './fixtures.test-helper.js';
import { formatWgKey, parseWgKey } from './wg-key.js';

describe('parseWgKey', () => {
  it.each([PRIVATE_KEY, PEER_1, PSK])('reads a key printed by wg genkey: %s', (text) => {
    const key = parseWgKey(text);
    expect(key).toBeInstanceOf(Uint8Array);
    expect(key).toHaveLength(32);
    expect(formatWgKey(key!)).toBe(text);
  });

  it('knows the bytes behind the text', () => {
    expect(Array.from(parseWgKey(PRIVATE_KEY)!.subarray(0, 4))).toEqual([88, 248, 252, 162]);
  });

  it('refuses a 32-byte key whose last character has non-zero unused bits (wg pubkey refuses it too)', () => {
    // The looser decoder in @pathwire/crypto reads it as the same 32 bytes as PRIVATE_KEY:
    // two spellings of one key, which is what wg's key_from_base64 forbids.
    expect(decodeKey(BAD_PADDING_KEY)).toEqual(decodeKey(PRIVATE_KEY));
    expect(parseWgKey(BAD_PADDING_KEY)).toBeUndefined();
  });

  it.each([
    ['missing padding', PRIVATE_KEY.slice(0, -1)],
    ['double padding', `${PRIVATE_KEY.slice(0, -2)}==`],
    ['one character short', PRIVATE_KEY.slice(1)],
    ['one character long', `A${PRIVATE_KEY}`],
    ['URL-safe alphabet', PEER_1.replace('/', '_')],
    ['inner space', `${PRIVATE_KEY.slice(0, 10)} ${PRIVATE_KEY.slice(11)}`],
    ['hex', '58f8fca20ed9161d6786d423e70e0d9ec5785b8cb902f08ea9fea0f3c6ce106d'],
    ['empty', ''],
  ])('refuses %s', (_what, text) => {
    expect(parseWgKey(text)).toBeUndefined();
  });

  it('refuses 31 and 33 bytes', () => {
    expect(base64ToBytes(formatWgKey(new Uint8Array(33)))).toHaveLength(33);
    expect(parseWgKey(formatWgKey(new Uint8Array(33)))).toBeUndefined();
    expect(parseWgKey(formatWgKey(new Uint8Array(31)))).toBeUndefined();
    expect(parseWgKey(formatWgKey(new Uint8Array(32)))).toEqual(new Uint8Array(32));
  });
});
