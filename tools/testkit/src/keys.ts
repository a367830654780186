/** WireGuard key pairs as `wg` writes them (base64), for test and tool configurations. */
import { bytesToBase64 } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';

export interface WgKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

export function wgKeyPair(): WgKeyPair {
  const secret = nodeBackend.generateSecretKey();
  return { privateKey: bytesToBase64(secret), publicKey: bytesToBase64(nodeBackend.publicKey(secret)) };
}
