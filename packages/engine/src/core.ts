/**
 * The state every concern of the device shares (wireguard-go's `Device` struct, without its
 * goroutines): identity and cookie checker, the index table, allowed IPs, the timer queue, the
 * under-load monitor, the output queues and counters. The files beside it (send, receive,
 * handshake, keypairs, timers, probe, strategy-host) are functions over a `DeviceCore` and one
 * `Peer`; `Device` is the public face that routes inputs to them and drains the outputs.
 */
import type { CryptoBackend } from '@pathwire/crypto';
import { CookieChecker, StaticIdentity } from '@pathwire/noise';
import { AllowedIPs } from './allowed-ips.js';
import { REKEY_TIMEOUT_JITTER } from './constants.js';
import type { DeviceEvent, DropReason } from './events.js';
import { IndexTable } from './index-table.js';
import { LoadMonitor } from './load-monitor.js';
import { Outputs } from './outputs.js';
import type { Peer } from './peer.js';
import { TimerQueue } from './timer-queue.js';

/** Counters exposed for status and metrics. */
export interface DeviceCounters {
  readonly drops: Readonly<Record<string, number>>;
  handshakesCompleted: number;
  handshakesInitiated: number;
  cookieRepliesSent: number;
}

export interface CoreOptions {
  readonly backend: CryptoBackend;
  readonly privateKey: Uint8Array;
  readonly random: () => number;
  readonly wallClock: (now: number) => number;
  readonly mtu: number;
  readonly underLoadThreshold: number | undefined;
  readonly deterministicSecrets: ((bytes: Uint8Array) => Uint8Array) | undefined;
}

export class DeviceCore {
  readonly backend: CryptoBackend;
  identity: StaticIdentity;
  cookies: CookieChecker;
  readonly random: () => number;
  readonly wallClock: (now: number) => number;
  /** The inner MTU payloads are padded up to; follows `ip link set IFACE mtu N` (Device.setMtu). */
  mtu: number;
  readonly peersByKey = new Map<string, Peer>();
  readonly indices: IndexTable;
  readonly allowed = new AllowedIPs<Peer>();
  readonly timers = new TimerQueue<Peer>();
  readonly load: LoadMonitor;
  readonly receiveBuffer = new Uint8Array(65_536);
  readonly outputs = new Outputs();
  readonly counters: DeviceCounters;
  /** Peers with strategy events waiting to be handed to their strategy. */
  readonly unsettled: Peer[] = [];
  private readonly deterministicSecrets: ((bytes: Uint8Array) => Uint8Array) | undefined;

  constructor(options: CoreOptions) {
    this.backend = options.backend;
    this.identity = new StaticIdentity(options.backend, options.privateKey);
    this.cookies = new CookieChecker(this.identity);
    this.random = options.random;
    this.wallClock = options.wallClock;
    this.mtu = options.mtu;
    this.indices = new IndexTable(options.random);
    this.load = new LoadMonitor(options.underLoadThreshold);
    this.deterministicSecrets = options.deterministicSecrets;
    this.counters = {
      drops: this.outputs.drops,
      handshakesCompleted: 0,
      handshakesInitiated: 0,
      cookieRepliesSent: 0,
    };
  }

  /** Whether `peer` is (still) one of this device's peers. */
  owns(peer: Peer): boolean {
    return this.peersByKey.get(peer.publicKeyText) === peer;
  }

  drop(reason: DropReason): void {
    this.outputs.drop(reason);
  }

  emit(event: DeviceEvent): void {
    this.outputs.event(event);
  }

  /** REKEY_TIMEOUT jitter (wireguard-go: up to 334 ms), from the injected randomness. */
  jitter(): number {
    return Math.floor(this.random() * REKEY_TIMEOUT_JITTER);
  }

  /** A seeded ephemeral secret in simulations; nothing (the backend's CSPRNG) otherwise. */
  ephemeral(): { ephemeralPrivate?: Uint8Array } {
    return this.deterministicSecrets
      ? { ephemeralPrivate: this.deterministicSecrets(new Uint8Array(32)) }
      : {};
  }
}
