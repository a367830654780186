/**
 * WireGuard keys as `wg genkey` prints them: 32 bytes in standard base64, exactly 44
 * characters, one `=` of padding. As in wireguard-tools' `key_from_base64` (encoding.c), the
 * unused low bits of the last character must be zero, so every key has one spelling.
 */
import { bytesToBase64, decodeKey } from '@pathwire/crypto';

/** 42 free characters, then one whose two low bits are zero, then the padding. */
const CANONICAL_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** The 32 bytes of a canonical base64 key, or `undefined`. */
export function parseWgKey(text: string): Uint8Array | undefined {
  if (!CANONICAL_KEY.test(text)) return undefined;
  return decodeKey(text);
}

/** The 44-character base64 text of a 32-byte key. */
export function formatWgKey(key: Uint8Array): string {
  return bytesToBase64(key);
}
