/**
 * WireGuard handshake constants (whitepaper §5.4 and §6; wireguard-go `device/noise-protocol.go`,
 * `device/cookie.go`, `device/constants.go`).
 */

const utf8 = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));

/** The Noise protocol name, hashed into the initial chaining key (whitepaper §5.4.2). */
export const CONSTRUCTION = utf8('Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s');
/** The prologue, mixed into the initial hash. */
export const IDENTIFIER = utf8('WireGuard v1 zx2c4 Jason@zx2c4.com');
export const LABEL_MAC1 = utf8('mac1----');
export const LABEL_COOKIE = utf8('cookie--');

export const MESSAGE_INITIATION = 1;
export const MESSAGE_RESPONSE = 2;
export const MESSAGE_COOKIE_REPLY = 3;
export const MESSAGE_TRANSPORT = 4;

export const INITIATION_LENGTH = 148;
export const RESPONSE_LENGTH = 92;
export const COOKIE_REPLY_LENGTH = 64;

/** Seconds a cookie (and the responder's cookie secret) stays valid: COOKIE_REFRESH_TIME. */
export const COOKIE_REFRESH_TIME_MS = 120_000;
/** A peer's initiations are consumed at most once per 1/50 s (wireguard-go HandshakeInitationRate). */
export const INITIATION_MIN_INTERVAL_MS = 20;

export const TIMESTAMP_LENGTH = 12;
