/**
 * A device's static identity and the per-peer handshake state (whitepaper §5.4), with the
 * values WireGuard precomputes: the MAC1 and cookie keys of each public key (§5.4.4, §5.4.7)
 * and the static-static Diffie-Hellman of each peer (`DH(S_priv, S_pub)`, the `ss` token).
 */
import { type CryptoBackend, wipe } from '@pathwire/crypto';
import { LABEL_COOKIE, LABEL_MAC1 } from './constants.js';
import { SymmetricState } from './symmetric-state.js';

const ZERO_KEY: Uint8Array = new Uint8Array(32);

/** The keys derived from one public key: the key others use for MAC1 and for cookie replies to it. */
export interface PublicKeyDerivatives {
  readonly publicKey: Uint8Array;
  /** HASH(LABEL_MAC1 || S_pub). */
  readonly mac1Key: Uint8Array;
  /** HASH(LABEL_COOKIE || S_pub). */
  readonly cookieKey: Uint8Array;
}

export function derivePublicKeyKeys(backend: CryptoBackend, publicKey: Uint8Array): PublicKeyDerivatives {
  return {
    publicKey,
    mac1Key: backend.hash(LABEL_MAC1, publicKey),
    cookieKey: backend.hash(LABEL_COOKIE, publicKey),
  };
}

export class StaticIdentity {
  readonly publicKey: Uint8Array;
  readonly derived: PublicKeyDerivatives;
  /** The handshake state after `MixHash(S_r^pub)` as a responder: the same for every initiation. */
  readonly responderStart: SymmetricState;

  constructor(
    readonly backend: CryptoBackend,
    readonly privateKey: Uint8Array,
  ) {
    this.publicKey = backend.publicKey(privateKey);
    this.derived = derivePublicKeyKeys(backend, this.publicKey);
    this.responderStart = SymmetricState.initialize(backend, this.publicKey);
  }
}

/** State of a handshake in flight (whitepaper §5.4.2/§5.4.3). */
export type HandshakeState =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'initiation-created';
      readonly symmetric: SymmetricState;
      readonly ephemeralPrivate: Uint8Array;
      readonly localIndex: number;
    }
  | {
      readonly kind: 'initiation-consumed';
      readonly symmetric: SymmetricState;
      readonly remoteEphemeral: Uint8Array;
      readonly remoteIndex: number;
    };

/** Everything the handshake keeps about one peer. */
export class HandshakePeer {
  readonly remote: PublicKeyDerivatives;
  /** DH(S_local_priv, S_remote_pub), precomputed; all zeros when the peer's key is low-order. */
  readonly staticStatic: Uint8Array;
  readonly presharedKey: Uint8Array;
  /** The initiator's handshake state after `MixHash(S_r^pub)`: the same for every initiation. */
  readonly initiatorStart: SymmetricState;
  state: HandshakeState = { kind: 'none' };
  /** The greatest TAI64N timestamp accepted from this peer (replay protection, §5.1). */
  lastTimestamp: Uint8Array = new Uint8Array(12);
  /** When the last initiation from this peer was consumed (flood protection). */
  lastInitiationConsumedAt = Number.NEGATIVE_INFINITY;
  /** Cookie from this peer's last cookie reply, and when it arrived (§5.4.7). */
  cookie: Uint8Array | undefined;
  cookieReceivedAt = Number.NEGATIVE_INFINITY;
  /** MAC1 of the last handshake message we sent to this peer: the AD of its cookie reply. */
  lastSentMac1: Uint8Array | undefined;

  constructor(
    readonly identity: StaticIdentity,
    remotePublicKey: Uint8Array,
    presharedKey?: Uint8Array,
  ) {
    const backend = identity.backend;
    this.remote = derivePublicKeyKeys(backend, remotePublicKey);
    this.initiatorStart = SymmetricState.initialize(backend, remotePublicKey);
    let staticStatic: Uint8Array = ZERO_KEY;
    try {
      staticStatic = backend.sharedSecret(identity.privateKey, remotePublicKey);
    } catch {
      // A low-order peer key can never complete a handshake; it is refused when used.
    }
    this.staticStatic = staticStatic;
    this.presharedKey = presharedKey ? Uint8Array.from(presharedKey) : new Uint8Array(32);
  }

  /** True when the static-static secret could not be computed (low-order public key). */
  get unusable(): boolean {
    return this.staticStatic === ZERO_KEY;
  }

  /** Forgets any handshake in flight and wipes its secrets. */
  clearHandshake(): void {
    const state = this.state;
    if (state.kind === 'initiation-created') wipe(state.ephemeralPrivate);
    if (state.kind !== 'none') state.symmetric.wipe();
    this.state = { kind: 'none' };
  }

  /** Wipes the peer's secrets (on removal). */
  destroy(): void {
    this.clearHandshake();
    wipe(this.presharedKey, this.cookie);
    if (this.staticStatic !== ZERO_KEY) wipe(this.staticStatic);
  }
}
