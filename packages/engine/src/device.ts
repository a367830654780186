/**
 * The sans-I/O WireGuard device (DESIGN.md, "Principles"): inputs are "a datagram arrived from
 * endpoint E at local address L at time t", "the TUN produced a packet at t" and "time is now
 * t"; each input runs to completion, queueing its outputs (datagrams to endpoints, packets for
 * the TUN, events, drop counts), and only then are they handed to the `DeviceIO`, together with
 * one next wake-up time for the whole device. Time is the driver's monotonic clock; the wall
 * clock is used for TAI64N timestamps only. Protocol rules follow the whitepaper §5–§6 and
 * wireguard-go; which endpoint carries a peer's traffic is decided by the peer's strategy.
 *
 * The device routes (allowed IPs, the index table, under-load defences, one timer queue); the
 * per-peer work lives beside it: `send.ts` (encapsulate), `receive.ts` (decapsulate),
 * `handshake.ts`, `keypairs.ts`, `timers.ts` (updateTimers), `probe.ts`, `strategy-host.ts` and
 * `selection.ts`, `configuration.ts`.
 *
 * @example
 * ```ts
 * import { nobleBackend } from '@pathwire/crypto';
 * import { Device } from '@pathwire/engine';
 * const sent: Uint8Array[] = [];
 * const device = new Device({
 *   backend: nobleBackend,
 *   privateKey: nobleBackend.generateSecretKey(),
 *   io: { sendDatagram: (_to, bytes) => sent.push(bytes), writePacket: () => {} },
 * });
 * device.tick(performance.now()); // drive it: receiveDatagram / sendPacket / tick, then wake at nextWake()
 * ```
 */
import { bytesToBase64, type CryptoBackend } from '@pathwire/crypto';
import {
  MESSAGE_COOKIE_REPLY,
  MESSAGE_INITIATION,
  MESSAGE_RESPONSE,
  MESSAGE_TRANSPORT,
  messageType,
} from '@pathwire/noise';
import { endpointKey } from '@pathwire/resolver/parse';
import type { Endpoint } from '@pathwire/strategy';
import type { PeerConfig } from './configuration.js';
import * as configuration from './configuration.js';
import { DeviceCore, type DeviceCounters } from './core.js';
import type { DeviceIO, DropReason } from './events.js';
import { receiveCookieReply, receiveInitiation, receiveResponse } from './handshake.js';
import { innerDestination } from './inner-address.js';
import { formatIpPrefix } from './ip-prefix.js';
import type { Peer } from './peer.js';
import { decapsulate } from './receive.js';
import { settle, settleAll } from './selection.js';
import { encapsulate } from './send.js';
import { notifyStrategy } from './strategy-host.js';
import { clearSourceAddresses, reschedule, updateTimers } from './timers.js';

export type { PeerConfig } from './configuration.js';
export type { DeviceCounters } from './core.js';

export interface DeviceOptions {
  readonly backend: CryptoBackend;
  readonly privateKey: Uint8Array;
  /** Where outputs go; a driver can `connect` one later instead. */
  readonly io?: DeviceIO;
  /** Seeded randomness for indices and jitter (defaults to the backend's CSPRNG). */
  readonly random?: () => number;
  /** Wall-clock Unix ms for TAI64N timestamps and `wg show`, from the engine clock (default: identity). */
  readonly wallClock?: (now: number) => number;
  /** Inner MTU: payloads are padded up to it at most. */
  readonly mtu?: number;
  /** Handshake messages per second above which cookies are demanded. */
  readonly underLoadThreshold?: number;
  /**
   * Simulation only: makes ephemeral secrets from this seeded source instead of the backend's
   * CSPRNG, so a simulated run replays byte for byte. Never set it in a real device.
   */
  readonly deterministicSecrets?: (bytes: Uint8Array) => Uint8Array;
}

interface DeferredSendError {
  readonly now: number;
  readonly endpoint: Endpoint;
  readonly code: string;
  readonly icmp: boolean;
}

export class Device {
  private readonly core: DeviceCore;
  private io: DeviceIO | undefined;
  private flushing = false;
  private readonly deferredSendErrors: DeferredSendError[] = [];
  readonly counters: DeviceCounters;

  constructor(options: DeviceOptions) {
    const backend = options.backend;
    this.core = new DeviceCore({
      backend,
      privateKey: options.privateKey,
      random:
        options.random ??
        (() => backend.randomBytes(new Uint8Array(4)).reduce((a, b) => a * 256 + b, 0) / 2 ** 32),
      wallClock: options.wallClock ?? ((now) => now),
      mtu: options.mtu ?? 1420,
      underLoadThreshold: options.underLoadThreshold,
      deterministicSecrets: options.deterministicSecrets,
    });
    this.io = options.io;
    this.counters = this.core.counters;
  }

  /** Where the outputs of every following input go (a driver calls this once). */
  connect(io: DeviceIO): void {
    this.io = io;
  }

  get publicKey(): Uint8Array {
    return this.core.identity.publicKey;
  }

  /** The device's private key (for `wg showconf`; never logged). */
  get privateKey(): Uint8Array {
    return this.core.identity.privateKey;
  }

  /** Entries in the index table: sessions and handshakes in flight. */
  get indexCount(): number {
    return this.core.indices.size;
  }

  // ---------------------------------------------------------------- configuration

  /** The inner MTU payloads are padded up to (WireGuard §5.4.6: padding to a multiple of 16, at most the MTU). */
  get currentMtu(): number {
    return this.core.mtu;
  }

  /** Follows the interface MTU at run time (`ip link set IFACE mtu N`): padding stops at the new value. */
  setMtu(mtu: number): void {
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65_535) throw new RangeError(`MTU out of range: ${mtu}`);
    this.core.mtu = mtu;
  }

  /**
   * Forgets the sticky source address of one peer's endpoints, or of every peer's: for
   * listen-port changes, removed addresses and route changes (retries clear it themselves).
   */
  clearSourceAddresses(peer?: Peer): void {
    for (const each of peer ? [peer] : this.core.peersByKey.values()) clearSourceAddresses(each);
  }

  /** Whether the device has a private key: an all-zero key means none (wireguard-go, `wg set private-key /dev/null`). */
  get hasPrivateKey(): boolean {
    return this.core.identity.privateKey.some((byte) => byte !== 0);
  }

  /** Changes the device's private key: every session and handshake is dropped (as wireguard-go does). */
  setPrivateKey(privateKey: Uint8Array): void {
    configuration.setPrivateKey(this.core, privateKey);
  }

  /** Adds a peer or updates it in place (fields left undefined keep their value). */
  setPeer(config: PeerConfig, now: number): Peer {
    const peer = configuration.setPeer(this.core, config, now);
    this.finish(now);
    return peer;
  }

  removePeer(publicKey: Uint8Array): boolean {
    const removed = configuration.removePeer(this.core, publicKey);
    this.flush();
    return removed;
  }

  peer(publicKey: Uint8Array | string): Peer | undefined {
    return this.core.peersByKey.get(typeof publicKey === 'string' ? publicKey : bytesToBase64(publicKey));
  }

  peers(): IterableIterator<Peer> {
    return this.core.peersByKey.values();
  }

  allowedIPsOf(peer: Peer): string[] {
    return this.core.allowed.entriesOf(peer).map(formatIpPrefix);
  }

  /** Replaces a peer's allowed IPs; a prefix owned by another peer moves to this one. */
  setAllowedIPs(peer: Peer, prefixes: readonly string[]): void {
    configuration.setAllowedIPs(this.core, peer, prefixes);
  }

  /** Replaces the configured endpoints (e.g. a resolver update), keeping the statistics of those that stay. */
  setEndpoints(peer: Peer, endpoints: readonly Endpoint[], now: number): void {
    configuration.setEndpoints(this.core, peer, endpoints, now);
    this.finish(now);
  }

  /** `wg set … endpoint X`: the peer uses X now; its strategy is told. */
  setActiveEndpoint(peer: Peer, endpoint: Endpoint, now: number): void {
    configuration.setActiveEndpoint(this.core, peer, endpoint, now);
    this.finish(now);
  }

  /** Passes a command (e.g. from a userspace oracle) to the peer's strategy. */
  command(peer: Peer, command: unknown, now: number): void {
    if (!this.core.owns(peer)) return;
    notifyStrategy(this.core, peer, { type: 'command', command });
    this.finish(now);
  }

  // ---------------------------------------------------------------- inputs

  /** A packet from the TUN: route it by destination to a peer and send it (or stage it). */
  sendPacket(now: number, packet: Uint8Array): void {
    const destination = innerDestination(packet);
    const peer = destination ? this.core.allowed.lookup(destination.bytes) : undefined;
    if (!peer) this.core.drop(destination ? 'no-route' : 'bad-inner-packet');
    else {
      encapsulate(this.core, peer, packet, now);
      reschedule(this.core, peer);
    }
    this.finish(now);
  }

  /**
   * A datagram arrived from `source` (at local address `local`, when the driver knows it).
   * Malformed or unauthenticated input is dropped and counted.
   */
  receiveDatagram(now: number, source: Endpoint, datagram: Uint8Array, local?: string): void {
    switch (messageType(datagram)) {
      case MESSAGE_TRANSPORT:
        decapsulate(this.core, now, source, local, datagram);
        break;
      case MESSAGE_INITIATION:
        receiveInitiation(this.core, now, source, local, datagram);
        break;
      case MESSAGE_RESPONSE:
        receiveResponse(this.core, now, source, local, datagram);
        break;
      case MESSAGE_COOKIE_REPLY:
        receiveCookieReply(this.core, now, datagram);
        break;
      default:
        this.core.drop('malformed');
    }
    this.finish(now);
  }

  /**
   * The driver could not send to `endpoint` (e.g. ENETUNREACH); the owning peers' strategies
   * hear of it. Reported while the device is handing over its outputs, it is handled after.
   */
  reportSendError(now: number, endpoint: Endpoint, code: string, icmp = false): void {
    if (this.flushing) {
      this.deferredSendErrors.push({ now, endpoint, code, icmp });
      return;
    }
    this.sendError(now, endpoint, code, icmp);
    this.finish(now);
  }

  private sendError(now: number, endpoint: Endpoint, code: string, icmp: boolean): void {
    const key = endpointKey(endpoint);
    for (const peer of this.core.peersByKey.values()) {
      const record = peer.endpoints.get(key);
      if (!record) continue;
      // The sticky source address is gone (address removed, interface down): forget it. That is
      // our address failing, not the endpoint: no send error for the strategy.
      if ((code === 'EINVAL' || code === 'EADDRNOTAVAIL') && record.localAddress !== undefined) {
        record.localAddress = undefined;
        continue;
      }
      record.noteSendError(code, now);
      notifyStrategy(this.core, peer, { type: icmp ? 'icmp-error' : 'send-error', endpoint: key, code });
    }
  }

  /** A drop the driver saw (e.g. the TUN refused a packet), counted with the device's own. */
  recordDrop(reason: DropReason): void {
    this.core.drop(reason);
  }

  /** Time passed: run every timer due at or before `now`. */
  tick(now: number): void {
    const core = this.core;
    for (let peer = core.timers.popDue(now); peer; peer = core.timers.popDue(now)) {
      peer.scheduledAt = undefined;
      try {
        updateTimers(core, peer, now);
      } finally {
        settle(core, peer, now);
      }
    }
    this.finish(now);
  }

  /** When the device next needs `tick`, or undefined when nothing is scheduled. */
  nextWake(): number | undefined {
    return this.core.timers.peek();
  }

  // ---------------------------------------------------------------- outputs

  /** The end of an input: strategies answer, then the outputs go to the driver. */
  private finish(now: number): void {
    settleAll(this.core, now);
    this.flush();
  }

  /** Hands the queued outputs to the driver; send errors it reports meanwhile are handled after. */
  private flush(): void {
    const io = this.io;
    if (!io || this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        this.core.outputs.drainTo(io);
        const error = this.deferredSendErrors.shift();
        if (!error) break;
        this.sendError(error.now, error.endpoint, error.code, error.icmp);
        settleAll(this.core, error.now);
      }
    } finally {
      this.flushing = false;
    }
  }
}
