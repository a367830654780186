/**
 * The sans-I/O WireGuard device (DESIGN.md, "Principles"): inputs are "a datagram arrived from
 * endpoint E at time t", "the TUN produced a packet at t" and "time is now t"; outputs go to a
 * `DeviceIO` (datagrams to endpoints, packets for the TUN, events) plus one next wake-up time
 * for the whole device. Protocol rules follow the whitepaper §5–§6 and wireguard-go's timers;
 * which endpoint carries a peer's traffic is decided by the peer's strategy.
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
 * device.tick(Date.now()); // drive it: receiveDatagram / sendPacket / tick, then wake at nextWake()
 * ```
 */
import { bytesToBase64, type CryptoBackend, constantTimeEqual } from '@pathwire/crypto';
import {
  CookieChecker,
  consumeCookieReply,
  consumeInitiation,
  consumeResponse,
  createInitiation,
  createResponse,
  type HandshakeErrorCode,
  HandshakePeer,
  MESSAGE_COOKIE_REPLY,
  MESSAGE_INITIATION,
  MESSAGE_RESPONSE,
  MESSAGE_TRANSPORT,
  messageType,
  StaticIdentity,
  tai64n,
  verifyMac1,
} from '@pathwire/noise';
import { endpointKey } from '@pathwire/resolver/parse';
import {
  createProbeFields,
  createRoaming,
  type Endpoint,
  type HandshakeReason,
  isProbeReply,
  looksLikeProbe,
  PROBE_ERROR_NAMES,
  PROBE_HELLO,
  PROBE_HELLO_ACK,
  PROBE_REQUEST_LENGTH,
  ProbeError,
  readProbe,
  type StrategyContext,
  type StrategyDecision,
  type StrategyEvent,
  type StrategyV1,
  writeProbe,
} from '@pathwire/strategy';
import {
  DataError,
  Keypair,
  openData,
  openStale,
  readReceiverIndex,
  sealData,
  sealedLength,
} from '@pathwire/transport';
import { AllowedIPs } from './allowed-ips.js';
import {
  AUTHENTICATED_EVENT_INTERVAL,
  KEEPALIVE_TIMEOUT,
  MAX_HANDSHAKE_ATTEMPTS,
  MAX_STAGED_PACKETS,
  PROBE_TIMEOUT,
  REJECT_AFTER_TIME,
  REKEY_AFTER_TIME,
  REKEY_ON_RECEIVE_AGE,
  REKEY_TIMEOUT,
  REKEY_TIMEOUT_JITTER,
  STRATEGY_INITIATION_FLOOR,
} from './constants.js';
import { type EndpointRecord, EndpointSet, type EndpointSetChange } from './endpoint-set.js';
import type { DeviceEvent, DeviceIO, DropReason } from './events.js';
import { innerDestination, innerSource, packetLength } from './inner-address.js';
import { formatIpPrefix, parseIpPrefix } from './ip-prefix.js';
import { LoadMonitor } from './load-monitor.js';
import { Peer } from './peer.js';
import { HELLO_ATTEMPTS } from './probes.js';
import { TimerQueue } from './timer-queue.js';

const EMPTY = new Uint8Array(0);

export interface DeviceOptions {
  readonly backend: CryptoBackend;
  readonly privateKey: Uint8Array;
  readonly io: DeviceIO;
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
  /**
   * Simulation only: `false` makes this device treat in-band probes as a stock WireGuard does
   * (roam to their source, then drop them as not IP), to test pathwire against stock peers.
   */
  readonly answerProbes?: boolean;
}

export interface PeerConfig {
  readonly publicKey: Uint8Array;
  readonly presharedKey?: Uint8Array;
  readonly allowedIPs?: readonly string[];
  /** Configured endpoints in candidate order (replaces the configured set). */
  readonly endpoints?: readonly Endpoint[];
  /** Seconds; 0 or undefined turns it off. */
  readonly persistentKeepalive?: number;
  readonly strategy?: StrategyV1;
}

interface IndexEntry {
  readonly peer: Peer;
  readonly keypair: Keypair | undefined;
}

/** Counters exposed for status and metrics. */
export interface DeviceCounters {
  readonly drops: Readonly<Record<string, number>>;
  handshakesCompleted: number;
  handshakesInitiated: number;
  cookieRepliesSent: number;
  /** In-band probes: `hello-sent`, `ping-sent`, `hello-ack-sent`, `pong-sent`, `*-received`, `lost`, `duplicated`. */
  readonly probes: Readonly<Record<string, number>>;
}

const HANDSHAKE_DROP: Partial<Record<HandshakeErrorCode, DropReason>> = {
  BAD_LENGTH: 'malformed',
  BAD_TYPE: 'malformed',
  BAD_MAC1: 'bad-mac1',
  UNKNOWN_PEER: 'unknown-peer',
  UNKNOWN_INDEX: 'unknown-index',
};

const DATA_DROP: Record<number, DropReason> = {
  [DataError.MALFORMED]: 'malformed',
  [DataError.COUNTER_LIMIT]: 'counter-limit',
  [DataError.REPLAY]: 'replay',
  [DataError.AUTHENTICATION]: 'authentication',
  [DataError.BUFFER_TOO_SMALL]: 'malformed',
};

export class Device {
  private readonly backend: CryptoBackend;
  private identity: StaticIdentity;
  private cookies: CookieChecker;
  private readonly io: DeviceIO;
  private readonly random: () => number;
  private readonly wallClock: (now: number) => number;
  private readonly mtu: number;
  private readonly peersByKey = new Map<string, Peer>();
  private readonly indices = new Map<number, IndexEntry>();
  private readonly allowed = new AllowedIPs<Peer>();
  private readonly timers = new TimerQueue<Peer>();
  private readonly load: LoadMonitor;
  private readonly receiveBuffer = new Uint8Array(65_536);
  private readonly dropCounts: Record<string, number> = {};
  /** The local address of the datagram being processed (sticky source), if the driver gave one. */
  private receivedAt: string | undefined;
  private readonly deterministicSecrets: ((bytes: Uint8Array) => Uint8Array) | undefined;
  private readonly answerProbes: boolean;
  private readonly probeCounts: Record<string, number> = {};
  /** Reused for every probe answer. */
  private readonly probeReply = createProbeFields();
  readonly counters: DeviceCounters;

  constructor(options: DeviceOptions) {
    this.backend = options.backend;
    this.identity = new StaticIdentity(options.backend, options.privateKey);
    this.cookies = new CookieChecker(this.identity);
    this.io = options.io;
    this.random =
      options.random ??
      (() => options.backend.randomBytes(new Uint8Array(4)).reduce((a, b) => a * 256 + b, 0) / 2 ** 32);
    this.wallClock = options.wallClock ?? ((now) => now);
    this.mtu = options.mtu ?? 1420;
    this.load = new LoadMonitor(options.underLoadThreshold);
    this.deterministicSecrets = options.deterministicSecrets;
    this.answerProbes = options.answerProbes ?? true;
    this.counters = {
      drops: this.dropCounts,
      handshakesCompleted: 0,
      handshakesInitiated: 0,
      cookieRepliesSent: 0,
      probes: this.probeCounts,
    };
  }

  get publicKey(): Uint8Array {
    return this.identity.publicKey;
  }

  /** The device's private key (for `wg showconf`; never logged). */
  get privateKey(): Uint8Array {
    return this.identity.privateKey;
  }

  // ---------------------------------------------------------------- configuration

  /** Changes the device's private key: every session and handshake is dropped (as wireguard-go does). */
  setPrivateKey(privateKey: Uint8Array): void {
    // The same key again (every `wg setconf`/`syncconf` sends it) changes nothing, as in wireguard-go.
    if (constantTimeEqual(privateKey, this.identity.privateKey)) return;
    this.identity = new StaticIdentity(this.backend, privateKey);
    this.cookies = new CookieChecker(this.identity);
    for (const peer of this.peersByKey.values()) {
      this.expireSessions(peer);
      this.rebuildHandshake(peer, peer.handshake.presharedKey);
    }
  }

  /**
   * A new handshake state for a peer (new device key or preshared key) that keeps the replay
   * and flood state of the old one: a rebuilt peer must not accept a replayed old initiation.
   */
  private rebuildHandshake(peer: Peer, presharedKey: Uint8Array): void {
    const old = peer.handshake;
    const fresh = new HandshakePeer(this.identity, peer.publicKey, presharedKey);
    fresh.lastTimestamp = Uint8Array.from(old.lastTimestamp);
    fresh.lastInitiationConsumedAt = old.lastInitiationConsumedAt;
    if (old.cookie) fresh.cookie = Uint8Array.from(old.cookie);
    fresh.cookieReceivedAt = old.cookieReceivedAt;
    old.destroy();
    peer.handshake = fresh;
  }

  /** Adds a peer or updates it in place (fields left undefined keep their value). */
  setPeer(config: PeerConfig, now: number): Peer {
    const text = bytesToBase64(config.publicKey);
    let peer = this.peersByKey.get(text);
    if (!peer) {
      peer = new Peer(
        Uint8Array.from(config.publicKey),
        text,
        new HandshakePeer(this.identity, config.publicKey, config.presharedKey),
        new EndpointSet(),
        config.strategy ?? createRoaming({}),
      );
      this.peersByKey.set(text, peer);
      this.strategyEvent(peer, { type: 'start' }, now);
    } else {
      if (config.presharedKey && !constantTimeEqual(config.presharedKey, peer.handshake.presharedKey)) {
        this.rebuildHandshake(peer, config.presharedKey);
      }
      if (config.strategy && config.strategy !== peer.strategy) {
        peer.strategy = config.strategy;
        this.strategyEvent(peer, { type: 'start' }, now);
      }
    }
    if (config.allowedIPs) this.setAllowedIPs(peer, config.allowedIPs);
    if (config.endpoints) this.setEndpoints(peer, config.endpoints, now);
    if (config.persistentKeepalive !== undefined) {
      const wasOff = peer.persistentKeepaliveMs === 0;
      peer.persistentKeepaliveMs = config.persistentKeepalive * 1000;
      peer.persistentKeepaliveAt =
        peer.persistentKeepaliveMs > 0 ? now + peer.persistentKeepaliveMs : undefined;
      // wireguard-go sends a keepalive at once when persistent keepalive is turned on.
      // (Without endpoints yet, `setEndpoints` sends it when they arrive.)
      if (wasOff && peer.persistentKeepaliveMs > 0 && peer.endpoints.size > 0) this.sendKeepalive(peer, now);
    }
    this.reschedule(peer);
    return peer;
  }

  removePeer(publicKey: Uint8Array): boolean {
    const text = bytesToBase64(publicKey);
    const peer = this.peersByKey.get(text);
    if (!peer) return false;
    this.expireSessions(peer);
    peer.handshake.destroy();
    this.allowed.removeValue(peer);
    this.timers.schedule(peer, undefined);
    peer.scheduledAt = undefined;
    this.peersByKey.delete(text);
    this.emit({ type: 'peer-removed', peer: text });
    return true;
  }

  /** Whether `peer` is (still) one of this device's peers. */
  private owns(peer: Peer): boolean {
    return this.peersByKey.get(peer.publicKeyText) === peer;
  }

  peer(publicKey: Uint8Array | string): Peer | undefined {
    return this.peersByKey.get(typeof publicKey === 'string' ? publicKey : bytesToBase64(publicKey));
  }

  peers(): IterableIterator<Peer> {
    return this.peersByKey.values();
  }

  allowedIPsOf(peer: Peer): string[] {
    return this.allowed.entriesOf(peer).map(formatIpPrefix);
  }

  /** Replaces a peer's allowed IPs; a prefix owned by another peer moves to this one. */
  setAllowedIPs(peer: Peer, prefixes: readonly string[]): void {
    const parsed = prefixes.map((text) => parseIpPrefix(text));
    this.allowed.removeValue(peer);
    for (const prefix of parsed) this.allowed.insert(prefix, peer);
  }

  /** Replaces the configured endpoints (e.g. a resolver update), keeping the statistics of those that stay. */
  setEndpoints(peer: Peer, endpoints: readonly Endpoint[], now: number): void {
    if (!this.owns(peer)) return;
    const hadNone = peer.endpoints.size === 0;
    const change = peer.endpoints.setConfigured(endpoints, peer.active?.key);
    if (peer.active && !peer.endpoints.get(peer.active.key)) peer.active = undefined;
    this.endpointsChanged(peer, change, now);
    // The first endpoints of a peer with work waiting (staged packets, persistent keepalive): go.
    if (hadNone && peer.endpoints.size > 0 && !this.sendingKeypair(peer, now)) {
      if (peer.staged.length > 0) this.requestHandshake(peer, now, 'staged-packet', false);
      else if (peer.persistentKeepaliveMs > 0) this.requestHandshake(peer, now, 'keepalive', false);
    }
    this.reschedule(peer);
  }

  /** `wg set … endpoint X`: the peer uses X now; its strategy is told. */
  setActiveEndpoint(peer: Peer, endpoint: Endpoint, now: number): void {
    if (!this.owns(peer)) return;
    const { record, change } = peer.endpoints.learn(endpoint, now, peer.active?.key);
    if (change) this.endpointsChanged(peer, change, now);
    this.activate(peer, record);
    this.strategyEvent(peer, { type: 'user-endpoint', endpoint: record.key }, now);
  }

  /** Passes a command (e.g. from a userspace oracle) to the peer's strategy. */
  command(peer: Peer, command: unknown, now: number): void {
    if (!this.owns(peer)) return;
    this.strategyEvent(peer, { type: 'command', command }, now);
  }

  // ---------------------------------------------------------------- inputs

  /** A packet from the TUN: route it by destination to a peer and send it (or stage it). */
  sendPacket(now: number, packet: Uint8Array): void {
    const destination = innerDestination(packet);
    if (!destination) {
      this.drop('bad-inner-packet');
      return;
    }
    const peer = this.allowed.lookup(destination.bytes);
    if (!peer) {
      this.drop('no-route');
      return;
    }
    const keypair = this.sendingKeypair(peer, now);
    if (!keypair) {
      this.stage(peer, packet.slice());
      this.requestHandshake(peer, now, 'staged-packet', false);
      this.reschedule(peer);
      return;
    }
    this.sendData(peer, keypair, packet, now, undefined);
    this.keepKeyFreshSending(peer, keypair, now);
    this.reschedule(peer);
  }

  /**
   * A datagram arrived from `source` (at local address `local`, when the driver knows it).
   * Malformed or unauthenticated input is dropped and counted.
   */
  receiveDatagram(now: number, source: Endpoint, datagram: Uint8Array, local?: string): void {
    this.receivedAt = local;
    switch (messageType(datagram)) {
      case MESSAGE_TRANSPORT:
        this.receiveData(now, source, datagram);
        return;
      case MESSAGE_INITIATION:
        this.receiveInitiation(now, source, datagram);
        return;
      case MESSAGE_RESPONSE:
        this.receiveResponse(now, source, datagram);
        return;
      case MESSAGE_COOKIE_REPLY:
        this.receiveCookieReply(now, datagram);
        return;
      default: {
        this.drop('malformed');
        return;
      }
    }
  }

  /** The driver could not send to `endpoint` (e.g. ENETUNREACH); the owning peers' strategies hear of it. */
  reportSendError(now: number, endpoint: Endpoint, code: string, icmp = false): void {
    const key = endpointKey(endpoint);
    for (const peer of this.peersByKey.values()) {
      const record = peer.endpoints.get(key);
      if (!record) continue;
      // The sticky source address is gone (address removed, interface down): forget it. That is
      // our address failing, not the endpoint: no send error for the strategy.
      if ((code === 'EINVAL' || code === 'EADDRNOTAVAIL') && record.localAddress !== undefined) {
        record.localAddress = undefined;
        continue;
      }
      record.noteSendError(code, now);
      this.strategyEvent(peer, { type: icmp ? 'icmp-error' : 'send-error', endpoint: key, code }, now);
    }
  }

  /** A drop the driver saw (e.g. the TUN refused a packet), counted with the device's own. */
  recordDrop(reason: DropReason): void {
    this.drop(reason);
  }

  /** Time passed: run every timer due at or before `now`. */
  tick(now: number): void {
    for (let peer = this.timers.popDue(now); peer; peer = this.timers.popDue(now)) {
      peer.scheduledAt = undefined;
      try {
        this.runTimers(peer, now);
      } finally {
        this.reschedule(peer);
      }
    }
  }

  /** When the device next needs `tick`, or undefined when nothing is scheduled. */
  nextWake(): number | undefined {
    return this.timers.peek();
  }

  // ---------------------------------------------------------------- receive paths

  /**
   * Under load (whitepaper §5.3): MAC1 first (cheap, stateless), then the cookie and the
   * per-source rate. Not under load, `consumeInitiation`/`consumeResponse` verify MAC1 themselves.
   */
  private underLoadCheck(now: number, source: Endpoint, message: Uint8Array): boolean {
    if (!this.load.noteHandshake(now)) return true;
    if (!verifyMac1(this.backend, this.identity.derived.mac1Key, message)) {
      this.drop('bad-mac1');
      return false;
    }
    const key = endpointKey(source);
    const sourceBytes = Uint8Array.from(key, (char) => char.charCodeAt(0));
    if (!this.cookies.verifyMac2(message, sourceBytes, now)) {
      if (this.load.allow(`cookie ${source.address}`, now)) {
        this.io.sendDatagram(source, this.cookies.createReply(message, sourceBytes, now), this.receivedAt);
        this.counters.cookieRepliesSent++;
      }
      this.drop('cookie-required');
      return false;
    }
    if (!this.load.allow(source.address, now)) {
      this.drop('rate-limited');
      return false;
    }
    return true;
  }

  private receiveInitiation(now: number, source: Endpoint, message: Uint8Array): void {
    if (message.length !== 148) {
      this.drop('malformed');
      return;
    }
    if (!this.underLoadCheck(now, source, message)) return;
    const consumed = consumeInitiation(this.identity, message, {
      lookupPeer: (key) => this.peersByKey.get(bytesToBase64(key))?.handshake,
      now,
    });
    if (!consumed.ok) {
      this.drop(HANDSHAKE_DROP[consumed.error.code] ?? 'handshake-rejected');
      return;
    }
    const owner = this.peersByKey.get(bytesToBase64(consumed.peer.remote.publicKey))!;
    if (owner.initiationIndex !== undefined) {
      // Our own initiation in flight is superseded (the handshake state was replaced).
      this.indices.delete(owner.initiationIndex);
      owner.initiationIndex = undefined;
      owner.pendingCopies = [];
    }
    const localIndex = this.newIndex();
    const response = createResponse(owner.handshake, { senderIndex: localIndex, now, ...this.ephemeral() });
    if (!response.ok) {
      this.drop('handshake-rejected');
      return;
    }
    const keypair = new Keypair(response.keys, now);
    if (owner.next) this.retireKeypair(owner.next);
    owner.next = keypair;
    this.indices.set(localIndex, { peer: owner, keypair });
    const record = this.authenticated(owner, source, now);
    this.send(owner, record, response.message, now);
    owner.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
    this.counters.handshakesCompleted++;
    this.emit({
      type: 'handshake-complete',
      peer: owner.publicKeyText,
      role: 'responder',
      endpoint: record.endpoint,
    });
    this.strategyEvent(
      owner,
      { type: 'handshake-complete', endpoint: record.key, role: 'responder', rttMs: undefined },
      now,
    );
    this.reschedule(owner);
  }

  private receiveResponse(now: number, source: Endpoint, message: Uint8Array): void {
    if (message.length !== 92) {
      this.drop('malformed');
      return;
    }
    if (!this.underLoadCheck(now, source, message)) return;
    const done = consumeResponse(this.identity, message, {
      lookupIndex: (index) => {
        const entry = this.indices.get(index);
        return entry && !entry.keypair ? entry.peer.handshake : undefined;
      },
      now,
    });
    if (!done.ok) {
      this.drop(HANDSHAKE_DROP[done.error.code] ?? 'handshake-rejected');
      return;
    }
    const peer = this.indices.get(done.keys.localIndex)!.peer;
    const keypair = new Keypair(done.keys, now);
    this.indices.set(done.keys.localIndex, { peer, keypair });
    peer.initiationIndex = undefined;
    peer.pendingCopies = [];
    // Initiator: the new keypair is current at once (whitepaper §5.4.5).
    if (peer.next) {
      // As wireguard-go: the unconfirmed next becomes previous, and the old current goes.
      if (peer.previous) this.retireKeypair(peer.previous);
      if (peer.current) this.retireKeypair(peer.current);
      peer.previous = peer.next;
      peer.next = undefined;
    } else {
      if (peer.previous) this.retireKeypair(peer.previous);
      peer.previous = peer.current;
    }
    peer.current = keypair;
    const record = this.authenticated(peer, source, now);
    const rttMs = record.initiationSentAt !== undefined ? now - record.initiationSentAt : undefined;
    if (rttMs !== undefined) record.noteRtt(rttMs);
    for (const other of peer.endpoints.list) {
      if (other !== record && other.initiationSentAt !== undefined) other.initiationSentAt = undefined;
    }
    record.initiationSentAt = undefined;
    this.handshakeComplete(peer, now);
    peer.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
    this.counters.handshakesCompleted++;
    this.emit({
      type: 'handshake-complete',
      peer: peer.publicKeyText,
      role: 'initiator',
      endpoint: record.endpoint,
    });
    this.strategyEvent(
      peer,
      { type: 'handshake-complete', endpoint: record.key, role: 'initiator', rttMs },
      now,
    );
    if (!this.flushStaged(peer, now)) this.sendKeepalive(peer, now);
    this.reschedule(peer);
  }

  private receiveCookieReply(now: number, message: Uint8Array): void {
    const result = consumeCookieReply(message, {
      lookupIndex: (index) => this.indices.get(index)?.peer.handshake,
      now,
    });
    if (!result.ok) this.drop(HANDSHAKE_DROP[result.error.code] ?? 'handshake-rejected');
  }

  private receiveData(now: number, source: Endpoint, message: Uint8Array): void {
    if (message.length < 32) {
      this.drop('malformed');
      return;
    }
    const entry = this.indices.get(readReceiverIndex(message));
    if (!entry?.keypair) {
      this.drop('unknown-index');
      return;
    }
    const { peer, keypair } = entry;
    if (now - keypair.createdAt >= REJECT_AFTER_TIME) {
      this.drop('expired-keypair');
      return;
    }
    const length = openData(this.backend, keypair, message, this.receiveBuffer);
    if (length < 0) {
      // A probe overtaken by more than the replay window's worth of data on a faster path.
      if (length === DataError.REPLAY && this.receiveStaleProbe(peer, keypair, source, message, now)) return;
      this.drop(DATA_DROP[length] ?? 'malformed');
      return;
    }
    if (keypair === peer.next) {
      // Responder: the initiator used the new keypair, so it becomes current (§5.4.5).
      if (peer.previous) this.retireKeypair(peer.previous);
      peer.previous = peer.current;
      peer.current = keypair;
      peer.next = undefined;
      this.handshakeComplete(peer, now);
      this.flushStaged(peer, now);
    }
    peer.rxBytes += message.length;
    // A probe is recognised before roaming: it never moves the endpoint nor adds a learned one.
    if (length > 0 && this.answerProbes && looksLikeProbe(this.receiveBuffer)) {
      this.receiveProbe(peer, source, this.receiveBuffer.subarray(0, length), now, true);
      this.reschedule(peer);
      return;
    }
    this.authenticated(peer, source, now);
    if (length > 0) {
      const payload = this.receiveBuffer.subarray(0, length);
      if (payload[0]! >> 4 === 0) this.drop('not-ip');
      else this.deliver(peer, payload, now);
    }
    if (peer.current?.isInitiator && now - peer.current.createdAt >= REKEY_ON_RECEIVE_AGE) {
      this.requestHandshake(peer, now, 'rekey', false);
    }
    this.reschedule(peer);
  }

  private deliver(peer: Peer, payload: Uint8Array, now: number): void {
    const length = packetLength(payload);
    if (length === undefined || length > payload.length) {
      this.drop('bad-inner-packet');
      return;
    }
    const packet = payload.subarray(0, length);
    const source = innerSource(packet);
    if (!source || this.allowed.lookup(source.bytes) !== peer) {
      this.drop('source-not-allowed');
      return;
    }
    // Data received: answer within KEEPALIVE_TIMEOUT if we have nothing else to say (§6.5).
    if (peer.keepaliveAt === undefined) peer.keepaliveAt = now + KEEPALIVE_TIMEOUT;
    this.io.writePacket(packet);
  }

  /**
   * A decrypted probe (probes.ts). Requests are answered to their source from the local address
   * they arrived at; replies end a pending probe and tell the strategy. Nothing here roams.
   * `fresh`: the message passed WireGuard's replay window (else it came from behind it).
   */
  private receiveProbe(peer: Peer, source: Endpoint, payload: Uint8Array, now: number, fresh: boolean): void {
    const probes = peer.probes;
    const fields = probes.fields;
    const code = readProbe(payload, fields);
    if (code !== ProbeError.OK) {
      this.drop((PROBE_ERROR_NAMES[code] ?? 'probe-malformed') as DropReason);
      return;
    }
    // Anything that reads as a probe proves the peer speaks them.
    probes.support = 'yes';
    if (isProbeReply(fields.type)) {
      // A reply proves the round trip on that path (a request only the way towards us): it
      // counts for the path's statistics. No learning, no roaming.
      const known = peer.endpoints.get(endpointKey(source));
      if (known) {
        known.noteReceived(now);
        if (known === peer.active) {
          peer.lastAuthenticatedAt = now;
          peer.newHandshakeAt = undefined;
        }
      }
      this.count(fields.type === PROBE_HELLO_ACK ? 'hello-ack-received' : 'pong-received');
      const pending = probes.answered(fields);
      if (!pending) {
        this.drop('probe-unmatched');
        return;
      }
      const record = peer.endpoints.get(pending.endpoint);
      const rttMs = now - pending.sentAt;
      if (record) {
        record.noteRtt(rttMs);
        record.probesAnswered++;
      }
      this.strategyEvent(
        peer,
        {
          type: 'probe-reply',
          endpoint: pending.endpoint,
          rttMs,
          peerReceived: fields.received,
          sent: pending.sent,
        },
        now,
      );
      return;
    }
    const verdict = probes.guard.accept(fields.pathId, fields.sequence, fresh);
    if (verdict !== 'accepted') {
      this.drop(verdict === 'unknown-path' ? 'probe-unknown-path' : 'probe-replay');
      return;
    }
    this.count(fields.type === PROBE_HELLO ? 'hello-received' : 'ping-received');
    if (!probes.answerBucket.take(now)) {
      this.drop('probe-rate-limited');
      return;
    }
    const keypair = this.sendingKeypair(peer, now);
    if (!keypair) {
      this.drop('probe-no-session');
      return;
    }
    const reply = probes.reply(fields, payload.length, this.probeReply);
    const bytes = new Uint8Array(reply.length);
    writeProbe(bytes, reply);
    // To the PING's source, from the local address it arrived at (not the active endpoint).
    this.sendSealed(peer, keypair, bytes, source, this.receivedAt);
    this.count(fields.type === PROBE_HELLO ? 'hello-ack-sent' : 'pong-sent');
  }

  /** A data message behind the replay window: answered only if it is a probe its path's window accepts. */
  private receiveStaleProbe(
    peer: Peer,
    keypair: Keypair,
    source: Endpoint,
    message: Uint8Array,
    now: number,
  ): boolean {
    if (!this.answerProbes || !peer.probes.staleBucket.take(now)) return false;
    const length = openStale(this.backend, keypair, message, this.receiveBuffer);
    if (length <= 0 || !looksLikeProbe(this.receiveBuffer)) return false;
    peer.rxBytes += message.length;
    this.receiveProbe(peer, source, this.receiveBuffer.subarray(0, length), now, false);
    this.reschedule(peer);
    return true;
  }

  /** Common bookkeeping for any authenticated packet from `source`: learning, statistics, timers. */
  private authenticated(peer: Peer, source: Endpoint, now: number): EndpointRecord {
    const active = peer.active;
    let record: EndpointRecord;
    if (active && active.endpoint.port === source.port && active.endpoint.address === source.address) {
      record = active; // the common case, without building the endpoint's key
    } else {
      const learned = peer.endpoints.learn(source, now, active?.key);
      record = learned.record;
      if (learned.change) this.endpointsChanged(peer, learned.change, now);
    }
    record.noteReceived(now);
    if (this.receivedAt !== undefined) record.localAddress = this.receivedAt;
    peer.lastAuthenticatedAt = now;
    peer.unansweredSince = undefined;
    peer.newHandshakeAt = undefined;
    if (peer.persistentKeepaliveMs > 0) peer.persistentKeepaliveAt = now + peer.persistentKeepaliveMs;
    if (!peer.active) this.activate(peer, record);
    else if (record !== peer.active) {
      const last = peer.authenticatedEventAt.get(record.key) ?? Number.NEGATIVE_INFINITY;
      if (now - last >= AUTHENTICATED_EVENT_INTERVAL) {
        peer.authenticatedEventAt.set(record.key, now);
        this.strategyEvent(peer, { type: 'authenticated-packet', endpoint: record.key }, now);
      }
    }
    return record;
  }

  // ---------------------------------------------------------------- send paths

  private sendingKeypair(peer: Peer, now: number): Keypair | undefined {
    const keypair = peer.current;
    if (!keypair || keypair.sendExhausted || now - keypair.createdAt >= REJECT_AFTER_TIME) return undefined;
    return keypair;
  }

  private sendData(
    peer: Peer,
    keypair: Keypair,
    payload: Uint8Array,
    now: number,
    via: EndpointRecord | undefined,
  ): void {
    const target = via ?? peer.active;
    if (!target) {
      this.drop('no-endpoint');
      return;
    }
    const out = new Uint8Array(sealedLength(payload.length, this.mtu));
    const length = sealData(this.backend, keypair, payload, out, this.mtu);
    if (length < 0) {
      this.drop(DATA_DROP[length] ?? 'counter-limit');
      return;
    }
    const duplicate = peer.probes.duplicateTo;
    if (duplicate !== undefined && target === peer.active && duplicate !== target) {
      // While the active path is suspect: the same bytes on the best standby (the peer's replay
      // window drops whichever copy arrives second).
      this.io.sendDatagram(duplicate.endpoint, out.slice(0, length), duplicate.localAddress);
      peer.txBytes += length;
      this.count('duplicated');
    }
    this.send(peer, target, out, now);
    if (payload.length > 0) {
      peer.keepaliveAt = undefined;
      if (peer.newHandshakeAt === undefined) {
        peer.newHandshakeAt = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + this.jitter();
      }
      if (peer.unansweredSince === undefined && target === peer.active) {
        peer.unansweredSince = now;
        this.strategyEvent(peer, { type: 'unanswered', endpoint: target.key, since: now }, now);
      }
    }
  }

  private send(peer: Peer, record: EndpointRecord, bytes: Uint8Array, now: number): void {
    record.noteSent(now);
    peer.txBytes += bytes.length;
    if (peer.persistentKeepaliveMs > 0) peer.persistentKeepaliveAt = now + peer.persistentKeepaliveMs;
    this.io.sendDatagram(record.endpoint, bytes, record.localAddress);
  }

  private sendKeepalive(peer: Peer, now: number): void {
    const keypair = this.sendingKeypair(peer, now);
    if (!keypair) {
      this.requestHandshake(peer, now, 'keepalive', false);
      return;
    }
    this.sendData(peer, keypair, EMPTY, now, undefined);
    this.keepKeyFreshSending(peer, keypair, now);
  }

  private stage(peer: Peer, packet: Uint8Array): void {
    if (peer.staged.length >= MAX_STAGED_PACKETS) {
      peer.staged.shift();
      this.drop('staged-overflow');
    }
    peer.staged.push(packet);
  }

  /** Sends staged packets; returns whether any went out. */
  private flushStaged(peer: Peer, now: number): boolean {
    const keypair = this.sendingKeypair(peer, now);
    if (!keypair || peer.staged.length === 0) return false;
    const packets = peer.staged.splice(0);
    for (const packet of packets) this.sendData(peer, keypair, packet, now, undefined);
    return true;
  }

  private keepKeyFreshSending(peer: Peer, keypair: Keypair, now: number): void {
    if (keypair.isInitiator && (now - keypair.createdAt >= REKEY_AFTER_TIME || keypair.wantsRekey)) {
      this.requestHandshake(peer, now, 'rekey', false);
    }
  }

  // ---------------------------------------------------------------- handshakes

  /**
   * Starts (or retries) a handshake: one initiation whose identical copies go where the
   * strategy says; by default to the active endpoint.
   */
  private requestHandshake(peer: Peer, now: number, reason: HandshakeReason, retry: boolean): void {
    if (!retry) {
      if (now - peer.lastInitiationSentAt < REKEY_TIMEOUT) return;
      peer.handshakeAttempts = 0;
    } else if (peer.handshakeAttempts >= MAX_HANDSHAKE_ATTEMPTS) {
      this.giveUp(peer, now);
      return;
    }
    peer.handshakeAttempts++;
    const decisions = this.strategyEvent(
      peer,
      { type: 'handshake-needed', reason, attempt: peer.handshakeAttempts },
      now,
      true,
    );
    const initiate = decisions.find((decision) => decision.type === 'initiate');
    const targets = initiate?.type === 'initiate' ? initiate.targets : undefined;
    this.initiate(peer, now, targets);
  }

  private initiate(
    peer: Peer,
    now: number,
    targets: readonly { endpoint: string; delayMs: number }[] | undefined,
  ): void {
    const chosen = targets?.length
      ? targets
      : peer.active
        ? [{ endpoint: peer.active.key, delayMs: 0 }]
        : peer.endpoints.list[0]
          ? [{ endpoint: peer.endpoints.list[0].key, delayMs: 0 }]
          : [];
    if (chosen.length === 0) {
      // Nowhere to send it: not an attempt. Endpoints arriving later start the handshake.
      this.drop('no-endpoint');
      return;
    }
    peer.lastInitiationSentAt = now;
    peer.retransmitAt = now + REKEY_TIMEOUT + this.jitter();
    if (peer.initiationIndex !== undefined) this.indices.delete(peer.initiationIndex);
    const localIndex = this.newIndex();
    const created = createInitiation(peer.handshake, {
      ...this.ephemeral(),
      senderIndex: localIndex,
      timestamp: tai64n(this.wallClock(now)),
      now,
    });
    if (!created.ok) {
      this.emitStrategyError(peer, created.error.message);
      return;
    }
    peer.initiationIndex = localIndex;
    this.indices.set(localIndex, { peer, keypair: undefined });
    this.counters.handshakesInitiated++;
    peer.pendingCopies = [];
    for (const record of peer.endpoints.list) record.initiationSentAt = undefined;
    const sorted = [...chosen].sort((a, b) => a.delayMs - b.delayMs);
    for (const target of sorted) {
      if (target.delayMs <= 0) this.sendInitiationCopy(peer, target.endpoint, created.message, now);
      else
        peer.pendingCopies.push({
          at: now + target.delayMs,
          endpoint: target.endpoint,
          localIndex,
          message: created.message,
        });
    }
  }

  private sendInitiationCopy(peer: Peer, key: string, message: Uint8Array, now: number): void {
    const record = peer.endpoints.get(key);
    if (!record) return;
    record.initiationSentAt = now;
    // Each copy is its own array: the driver owns what it is given.
    this.send(peer, record, message.slice(), now);
  }

  private handshakeComplete(peer: Peer, now: number): void {
    peer.retransmitAt = undefined;
    peer.handshakeAttempts = 0;
    peer.lastHandshakeWallClock = this.wallClock(now);
  }

  private giveUp(peer: Peer, now: number): void {
    peer.retransmitAt = undefined;
    peer.pendingCopies = [];
    for (let i = 0; i < peer.staged.length; i++) this.drop('handshake-gave-up');
    peer.staged.length = 0;
    if (peer.zeroKeysAt === undefined) peer.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
    this.emit({ type: 'handshake-failed', peer: peer.publicKeyText });
  }

  // ---------------------------------------------------------------- timers

  private runTimers(peer: Peer, now: number): void {
    while (peer.pendingCopies[0] && peer.pendingCopies[0].at <= now) {
      const copy = peer.pendingCopies.shift()!;
      if (copy.localIndex === peer.initiationIndex)
        this.sendInitiationCopy(peer, copy.endpoint, copy.message, now);
    }
    if (peer.retransmitAt !== undefined && peer.retransmitAt <= now) {
      peer.retransmitAt = undefined;
      for (const record of peer.endpoints.list) if (record.initiationSentAt !== undefined) record.noteLost();
      this.requestHandshake(peer, now, 'retry', true);
    }
    if (peer.keepaliveAt !== undefined && peer.keepaliveAt <= now) {
      peer.keepaliveAt = undefined;
      if (this.sendingKeypair(peer, now)) this.sendKeepalive(peer, now);
    }
    if (peer.newHandshakeAt !== undefined && peer.newHandshakeAt <= now) {
      peer.newHandshakeAt = undefined;
      this.requestHandshake(peer, now, 'keepalive-timeout', false);
    }
    if (peer.persistentKeepaliveAt !== undefined && peer.persistentKeepaliveAt <= now) {
      peer.persistentKeepaliveAt = undefined;
      this.sendKeepalive(peer, now);
    }
    if (peer.zeroKeysAt !== undefined && peer.zeroKeysAt <= now) {
      peer.zeroKeysAt = undefined;
      this.expireSessions(peer);
      this.emit({ type: 'session-expired', peer: peer.publicKeyText });
    }
    for (const [id, probe] of peer.probes.pending) {
      if (now - probe.sentAt < PROBE_TIMEOUT) continue;
      peer.probes.pending.delete(id);
      const record = peer.endpoints.get(probe.endpoint);
      if (record) {
        record.noteLost();
        record.probesLost++;
      }
      this.count('lost');
      // A HELLO unanswered while the peer answered other traffic: after HELLO_ATTEMPTS, stock.
      if (
        probe.hello &&
        peer.probes.support === 'unknown' &&
        peer.lastAuthenticatedAt !== undefined &&
        peer.lastAuthenticatedAt > probe.sentAt &&
        ++peer.probes.hellosUnanswered >= HELLO_ATTEMPTS
      ) {
        peer.probes.support = 'no';
      }
    }
    if (peer.strategyWakeAt !== undefined && peer.strategyWakeAt <= now) {
      peer.strategyWakeAt = undefined;
      this.strategyEvent(peer, { type: 'timer' }, now);
    }
  }

  private reschedule(peer: Peer): void {
    const at = peer.nextDeadline();
    if (at === peer.scheduledAt) return;
    if (this.peersByKey.get(peer.publicKeyText) !== peer) return;
    peer.scheduledAt = at;
    this.timers.schedule(peer, at);
  }

  // ---------------------------------------------------------------- strategy host

  private strategyEvent(
    peer: Peer,
    event: StrategyEvent,
    now: number,
    deferInitiate = false,
  ): readonly StrategyDecision[] {
    let decisions: readonly StrategyDecision[];
    try {
      decisions = validDecisions(peer.strategy.handle(event, this.strategyContext(peer, now)));
    } catch (error) {
      this.emitStrategyError(peer, error instanceof Error ? error.message : String(error));
      return [];
    }
    for (const decision of decisions) {
      switch (decision.type) {
        case 'activate': {
          const record = peer.endpoints.get(decision.endpoint);
          if (record) this.activate(peer, record);
          break;
        }
        case 'initiate':
          if (!deferInitiate && now - peer.lastInitiationSentAt >= STRATEGY_INITIATION_FLOOR) {
            peer.handshakeAttempts = Math.max(peer.handshakeAttempts, 1);
            this.initiate(peer, now, decision.targets);
          }
          break;
        case 'probe':
          this.sendProbe(peer, decision.endpoint, decision.size, now);
          break;
        case 'duplicate': {
          const record = decision.endpoint === undefined ? undefined : peer.endpoints.get(decision.endpoint);
          // Never towards a peer that has not answered a HELLO (a stock peer would roam to it).
          peer.probes.duplicateTo = record && peer.probes.support === 'yes' ? record : undefined;
          if (record && peer.probes.support !== 'yes') this.drop('probe-refused');
          break;
        }
        case 'wake':
          peer.strategyWakeAt = Math.max(decision.at, now);
          break;
      }
    }
    this.reschedule(peer);
    return decisions;
  }

  private strategyContext(peer: Peer, now: number): StrategyContext {
    return {
      now,
      endpoints: peer.endpoints.list,
      active: peer.active?.key,
      lastAuthenticatedAt: peer.lastAuthenticatedAt,
      unansweredSince: peer.unansweredSince,
      sessionEstablishedAt: peer.current?.createdAt,
      lastInitiationAt: Number.isFinite(peer.lastInitiationSentAt) ? peer.lastInitiationSentAt : undefined,
      probeSupport: peer.probeSupport,
      random: this.random,
      endpoint: (key) => peer.endpoints.get(key),
    };
  }

  /**
   * A `probe` decision (probes.ts): a PING to a pathwire peer, a HELLO on the active endpoint to
   * a peer not known yet, nothing to a stock one. `size` pads a PING to test the path MTU.
   */
  private sendProbe(peer: Peer, key: string, size: number | undefined, now: number): void {
    const record = peer.endpoints.get(key);
    const keypair = this.sendingKeypair(peer, now);
    if (!record || !keypair) {
      this.drop('probe-no-session');
      return;
    }
    const type = peer.probes.admit(record, peer.active, now);
    if (typeof type === 'string') {
      this.drop(type);
      return;
    }
    if (record.probePathId === 0) record.probePathId = Math.floor(this.random() * 0xffff_ffff) >>> 0 || 1;
    const fields = peer.probes.request(type, record, now);
    const padded =
      type === PROBE_HELLO
        ? PROBE_REQUEST_LENGTH
        : Math.min(Math.max(size ?? 0, PROBE_REQUEST_LENGTH), this.mtu);
    const bytes = new Uint8Array(padded);
    writeProbe(bytes, fields);
    this.sendSealed(peer, keypair, bytes, record.endpoint, record.localAddress);
    this.count(type === PROBE_HELLO ? 'hello-sent' : 'ping-sent');
  }

  /**
   * Seals a probe and sends it. Unlike data it arms none of WireGuard's data timers and does not
   * count as use of the path (`lastSentAt`): probing an idle tunnel must not keep it "in use".
   */
  private sendSealed(
    peer: Peer,
    keypair: Keypair,
    payload: Uint8Array,
    to: Endpoint,
    from: string | undefined,
  ): void {
    const out = new Uint8Array(sealedLength(payload.length, this.mtu));
    const length = sealData(this.backend, keypair, payload, out, this.mtu);
    if (length < 0) {
      this.drop(DATA_DROP[length] ?? 'counter-limit');
      return;
    }
    peer.txBytes += length;
    this.io.sendDatagram(to, out, from);
  }

  private count(what: string): void {
    this.probeCounts[what] = (this.probeCounts[what] ?? 0) + 1;
  }

  private activate(peer: Peer, record: EndpointRecord): void {
    if (peer.active === record) return;
    const from = peer.active?.endpoint;
    peer.active = record;
    // A new path: the unanswered clock starts over on it.
    peer.unansweredSince = undefined;
    this.emit({ type: 'endpoint-changed', peer: peer.publicKeyText, from, to: record.endpoint });
  }

  private endpointsChanged(peer: Peer, change: EndpointSetChange, now: number): void {
    if (change.added.length === 0 && change.removed.length === 0) return;
    for (const key of change.removed) peer.authenticatedEventAt.delete(key);
    this.strategyEvent(
      peer,
      { type: 'endpoints-changed', added: change.added, removed: change.removed },
      now,
    );
  }

  // ---------------------------------------------------------------- helpers

  private expireSessions(peer: Peer): void {
    for (const keypair of [peer.current, peer.previous, peer.next]) if (keypair) this.retireKeypair(keypair);
    peer.current = peer.previous = peer.next = undefined;
    if (peer.initiationIndex !== undefined) this.indices.delete(peer.initiationIndex);
    peer.initiationIndex = undefined;
    peer.pendingCopies = [];
    peer.handshake.clearHandshake();
  }

  private retireKeypair(keypair: Keypair): void {
    this.indices.delete(keypair.localIndex);
    keypair.wipe();
  }

  /** A seeded ephemeral secret in simulations; nothing (the backend's CSPRNG) otherwise. */
  private ephemeral(): { ephemeralPrivate?: Uint8Array } {
    return this.deterministicSecrets
      ? { ephemeralPrivate: this.deterministicSecrets(new Uint8Array(32)) }
      : {};
  }

  private newIndex(): number {
    for (;;) {
      const index = Math.floor(this.random() * 0x1_0000_0000) >>> 0;
      if (!this.indices.has(index)) return index;
    }
  }

  private jitter(): number {
    return Math.floor(this.random() * REKEY_TIMEOUT_JITTER);
  }

  private drop(reason: DropReason): void {
    this.dropCounts[reason] = (this.dropCounts[reason] ?? 0) + 1;
  }

  private emit(event: DeviceEvent): void {
    this.io.event?.(event);
  }

  private emitStrategyError(peer: Peer, message: string): void {
    this.emit({ type: 'strategy-error', peer: peer.publicKeyText, message });
  }
}

/**
 * A strategy's answer, checked before the engine acts on it: an array of decisions with
 * finite numbers and string endpoints. Anything else is the strategy's error, reported as such.
 */
function validDecisions(decisions: unknown): readonly StrategyDecision[] {
  if (!Array.isArray(decisions)) throw new TypeError('handle() must return an array of decisions');
  for (const decision of decisions as StrategyDecision[]) {
    const ok =
      decision?.type === 'activate' || decision?.type === 'probe'
        ? typeof decision.endpoint === 'string'
        : decision?.type === 'duplicate'
          ? decision.endpoint === undefined || typeof decision.endpoint === 'string'
          : decision?.type === 'wake'
            ? Number.isFinite(decision.at)
            : decision?.type === 'initiate'
              ? Array.isArray(decision.targets) &&
                decision.targets.every(
                  (t) => typeof t?.endpoint === 'string' && Number.isFinite(t.delayMs) && t.delayMs >= 0,
                )
              : false;
    if (!ok) throw new TypeError(`invalid decision ${JSON.stringify(decision)}`);
  }
  return decisions as StrategyDecision[];
}
