/**
 * A WireGuard peer built by hand from @pathwire/noise and @pathwire/transport over one UDP
 * socket: just enough to complete a handshake with a stock peer in either role and exchange
 * data messages. (The real device with timers and roaming is @pathwire/engine.)
 */
import type { Socket } from 'node:dgram';
import type { CryptoBackend } from '@pathwire/crypto';
import {
  consumeInitiation,
  consumeResponse,
  createInitiation,
  createResponse,
  HandshakePeer,
  MESSAGE_INITIATION,
  MESSAGE_RESPONSE,
  messageType,
  StaticIdentity,
  tai64n,
} from '@pathwire/noise';
import {
  isDataMessage,
  Keypair,
  openData,
  readReceiverIndex,
  sealData,
  sealedLength,
} from '@pathwire/transport';
import { type Datagram, DatagramQueue } from './datagram-queue.js';

export interface ManualTunnelOptions {
  readonly backend: CryptoBackend;
  readonly privateKey: Uint8Array;
  readonly peerPublicKey: Uint8Array;
  readonly presharedKey?: Uint8Array;
  readonly socket: Socket;
  /** Where the peer listens; learned from its initiation when we respond. */
  readonly peerEndpoint?: { address: string; port: number };
}

export class ManualTunnel {
  readonly identity: StaticIdentity;
  readonly peer: HandshakePeer;
  keypair: Keypair | undefined;
  endpoint: { address: string; port: number } | undefined;
  private readonly queue: DatagramQueue;
  private nextIndex = (Math.random() * 0xffff_ffff) >>> 0;

  constructor(private readonly options: ManualTunnelOptions) {
    this.identity = new StaticIdentity(options.backend, options.privateKey);
    this.peer = new HandshakePeer(this.identity, options.peerPublicKey, options.presharedKey);
    this.queue = new DatagramQueue(options.socket);
    this.endpoint = options.peerEndpoint;
  }

  private send(bytes: Uint8Array): void {
    if (!this.endpoint) throw new Error('no endpoint for the peer yet');
    this.options.socket.send(bytes, this.endpoint.port, this.endpoint.address);
  }

  private async nextOfType(type: number, what: string, timeoutMs: number): Promise<Datagram> {
    for (;;) {
      const datagram = await this.queue.next(what, timeoutMs);
      if (messageType(datagram.data) === type) return datagram;
    }
  }

  /** Sends an initiation and completes the handshake with the peer's response. */
  async initiate(timeoutMs = 5000): Promise<Keypair> {
    const created = createInitiation(this.peer, {
      senderIndex: this.nextIndex++,
      timestamp: tai64n(Date.now()),
      now: 0,
    });
    if (!created.ok) throw created.error;
    this.send(created.message);
    const response = await this.nextOfType(MESSAGE_RESPONSE, 'the handshake response', timeoutMs);
    const done = consumeResponse(this.identity, response.data, { lookupIndex: () => this.peer, now: 0 });
    if (!done.ok) throw done.error;
    this.keypair = new Keypair(done.keys, 0);
    return this.keypair;
  }

  /** Waits for the peer's initiation, answers it from wherever it came (roaming), and returns the keypair. */
  async respond(timeoutMs = 5000): Promise<Keypair> {
    const initiation = await this.nextOfType(MESSAGE_INITIATION, 'the handshake initiation', timeoutMs);
    const consumed = consumeInitiation(this.identity, initiation.data, {
      lookupPeer: (key) => (Buffer.from(key).equals(this.options.peerPublicKey) ? this.peer : undefined),
      now: 0,
    });
    if (!consumed.ok) throw consumed.error;
    this.endpoint = { address: initiation.address, port: initiation.port };
    const response = createResponse(this.peer, { senderIndex: this.nextIndex++, now: 0 });
    if (!response.ok) throw response.error;
    this.send(response.message);
    this.keypair = new Keypair(response.keys, 0);
    return this.keypair;
  }

  /** Encrypts and sends one inner IP packet. */
  sendPacket(packet: Uint8Array): void {
    if (!this.keypair) throw new Error('no session yet');
    const out = new Uint8Array(sealedLength(packet.length));
    const length = sealData(this.options.backend, this.keypair, packet, out);
    if (length < 0) throw new Error(`seal failed: ${length}`);
    this.send(out.subarray(0, length));
  }

  /** The next inner packet from the peer (keepalives skipped), decrypted. */
  async receivePacket(timeoutMs = 5000): Promise<Uint8Array> {
    for (;;) {
      const datagram = await this.queue.next('an encrypted data message', timeoutMs);
      if (!isDataMessage(datagram.data) || !this.keypair) continue;
      if (readReceiverIndex(datagram.data) !== this.keypair.localIndex) continue;
      const plain = new Uint8Array(datagram.data.length);
      const length = openData(this.options.backend, this.keypair, datagram.data, plain);
      if (length < 0) throw new Error(`a data message from the peer did not open (error ${length})`);
      if (length > 0) return plain.subarray(0, length);
    }
  }
}
