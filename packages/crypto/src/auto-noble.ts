/** `@pathwire/crypto/auto` outside Node: the portable noble backend. */
import type { CryptoBackend } from './backend.js';
import { nobleBackend } from './noble-backend.js';

export const defaultBackend: CryptoBackend = nobleBackend;
