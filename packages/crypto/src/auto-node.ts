/** `@pathwire/crypto/auto` under the `node` export condition: the node:crypto backend. */
import type { CryptoBackend } from './backend.js';
import { nodeBackend } from './node-backend.js';

export const defaultBackend: CryptoBackend = nodeBackend;
