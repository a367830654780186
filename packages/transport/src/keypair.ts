/**
 * A transport keypair (whitepaper §5.4.5): the two keys of the handshake's Split(), both
 * session indices, when it was made, which side initiated, the next send counter and the
 * receive replay window.
 */
import { wipe } from '@pathwire/crypto';
import { REJECT_AFTER_MESSAGES, REKEY_AFTER_MESSAGES } from './constants.js';
import { ReplayWindow } from './replay-window.js';

/** The keys and indices of a completed handshake (structurally `SessionKeys` of @pathwire/noise). */
export interface SessionKeyMaterial {
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly localIndex: number;
  readonly remoteIndex: number;
  readonly isInitiator: boolean;
}

export interface MessageLimits {
  /** Counter at which the sender should start a new handshake (REKEY_AFTER_MESSAGES). */
  readonly rekeyAfterMessages: number;
  /** Counter at which the keypair stops sending and receiving (REJECT_AFTER_MESSAGES). */
  readonly rejectAfterMessages: number;
}

export const DEFAULT_LIMITS: MessageLimits = {
  rekeyAfterMessages: REKEY_AFTER_MESSAGES,
  rejectAfterMessages: REJECT_AFTER_MESSAGES,
};

export class Keypair {
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly localIndex: number;
  readonly remoteIndex: number;
  readonly isInitiator: boolean;
  /** The next counter to send. */
  sendCounter = 0;
  readonly replay: ReplayWindow;

  constructor(
    keys: SessionKeyMaterial,
    /** When the handshake completed, on the caller's clock (ms). */
    readonly createdAt: number,
    readonly limits: MessageLimits = DEFAULT_LIMITS,
  ) {
    this.sendKey = keys.sendKey;
    this.receiveKey = keys.receiveKey;
    this.localIndex = keys.localIndex;
    this.remoteIndex = keys.remoteIndex;
    this.isInitiator = keys.isInitiator;
    this.replay = new ReplayWindow(limits.rejectAfterMessages);
  }

  /** True once the send counter reached REKEY_AFTER_MESSAGES. */
  get wantsRekey(): boolean {
    return this.sendCounter >= this.limits.rekeyAfterMessages;
  }

  /** True once no more messages may be sent with this keypair. */
  get sendExhausted(): boolean {
    return this.sendCounter >= this.limits.rejectAfterMessages;
  }

  /** Zeroes the key material (whitepaper §6.3: after 3 × REJECT_AFTER_TIME at the latest). */
  wipe(): void {
    wipe(this.sendKey, this.receiveKey);
    this.sendCounter = this.limits.rejectAfterMessages;
  }
}
