/** The outcome of a completed handshake: the two transport keys of Split() and both indices. */
export interface SessionKeys {
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  /** Our sender index: the receiver index the peer writes on data messages to us. */
  readonly localIndex: number;
  /** The peer's sender index: the receiver index we write on data messages to it. */
  readonly remoteIndex: number;
  /** True on the side that sent the initiation. */
  readonly isInitiator: boolean;
}
