/**
 * The device's index table (whitepaper §5.4.2, wireguard-go `indextable.go`): the random 32-bit
 * receiver index in every response and data message names one handshake in flight or one
 * keypair, and through it one peer. Lookups by index are the only routing of incoming messages.
 */
import type { Keypair } from '@pathwire/transport';
import type { Peer } from './peer.js';

export interface IndexEntry {
  readonly peer: Peer;
  /** Undefined while the index names our initiation in flight. */
  readonly keypair: Keypair | undefined;
}

export class IndexTable {
  private readonly entries = new Map<number, IndexEntry>();

  constructor(private readonly random: () => number) {}

  get size(): number {
    return this.entries.size;
  }

  get(index: number): IndexEntry | undefined {
    return this.entries.get(index);
  }

  set(index: number, peer: Peer, keypair: Keypair | undefined): void {
    this.entries.set(index, { peer, keypair });
  }

  delete(index: number | undefined): void {
    if (index !== undefined) this.entries.delete(index);
  }

  /** A fresh random index not in use. */
  newIndex(): number {
    for (;;) {
      const index = Math.floor(this.random() * 0x1_0000_0000) >>> 0;
      if (!this.entries.has(index)) return index;
    }
  }
}
