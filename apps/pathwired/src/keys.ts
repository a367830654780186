/** `pathwire genkey | pubkey | genpsk`: the same output as `wg genkey | wg pubkey | wg genpsk`. */
import { bytesToBase64, decodeKey } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';

/** A new private key, clamped as `wg genkey` prints it (RFC 7748 §5). */
export function generatePrivateKey(): string {
  const key = nodeBackend.randomBytes(new Uint8Array(32));
  key[0]! &= 248;
  key[31]! &= 127;
  key[31]! |= 64;
  return bytesToBase64(key);
}

export function generatePresharedKey(): string {
  return bytesToBase64(nodeBackend.randomBytes(new Uint8Array(32)));
}

/** The public key of a base64 private key, or an error message as `wg pubkey` gives. */
export function publicKeyOf(privateKeyText: string): string {
  const key = decodeKey(privateKeyText.trim());
  if (!key) throw new Error('Key is not the correct length or format');
  return bytesToBase64(nodeBackend.publicKey(key));
}
