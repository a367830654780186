/**
 * The interop scenarios of the foundation issue: our handshake and transport against a stock
 * wireguard-go in a network namespace, as initiator and as responder, with and without a
 * preshared key, over an IPv4 or IPv6 underlay, on either crypto backend.
 */
import { createSocket, type Socket } from 'node:dgram';
import { bytesToBase64, type CryptoBackend } from '@pathwire/crypto';
import { buildIcmpEcho as buildEcho, parseIcmpEcho as parseEcho } from '@pathwire/ip';
import { type Link, type StockDevice, startWireguardGo, Topology } from '@pathwire/testkit';
import { ManualTunnel } from './manual-tunnel.js';

const STOCK_PORT = 51820;
/** Tunnel (inner) addresses, inside testkit's TUNNEL_PREFIX ranges. */
export const INNER = {
  4: { stock: '203.0.113.225', ours: '203.0.113.226', stockCidr: '203.0.113.225/27' },
  6: { stock: 'fd00:7077:ffff::1', ours: 'fd00:7077:ffff::2', stockCidr: 'fd00:7077:ffff::1/64' },
} as const;

export interface InteropWorld {
  readonly topology: Topology;
  readonly link: Link;
  readonly stock: StockDevice;
  readonly stockPublicKey: Uint8Array;
}

export interface InteropCase {
  readonly backend: CryptoBackend;
  readonly underlay: 4 | 6;
  readonly role: 'initiator' | 'responder';
  readonly presharedKey: boolean;
}

export interface InteropResult {
  /** What happened, in plain words, one line per step. */
  readonly steps: string[];
  readonly handshakeMs: number;
  readonly roundTripMs: number;
}

/** Builds the namespace, the veth link and the stock wireguard-go peer (with no peers yet). */
export async function createWorld(backend: CryptoBackend): Promise<InteropWorld> {
  const topology = Topology.create();
  try {
    const namespace = topology.namespace('stk');
    const link = topology.link(null, namespace);
    const stockPrivate = backend.generateSecretKey();
    const stock = await startWireguardGo(topology, namespace, 'wg', {
      privateKey: bytesToBase64(stockPrivate),
      listenPort: STOCK_PORT,
      addresses: [INNER[4].stockCidr, INNER[6].stockCidr],
      peers: [],
    });
    return { topology, link, stock, stockPublicKey: backend.publicKey(stockPrivate) };
  } catch (error) {
    topology.destroy();
    throw error;
  }
}

async function bindSocket(family: 4 | 6, address: string): Promise<Socket> {
  const socket = createSocket(family === 4 ? 'udp4' : 'udp6');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => resolve());
  });
  return socket;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** Runs one case; throws with a plain explanation when the stock peer does not agree with us. */
export async function runCase(world: InteropWorld, c: InteropCase): Promise<InteropResult> {
  const { backend, underlay } = c;
  const steps: string[] = [];
  const ourPrivate = backend.generateSecretKey();
  const ourPublic = bytesToBase64(backend.publicKey(ourPrivate));
  const psk = c.presharedKey ? backend.generateSecretKey() : undefined;
  const local = underlay === 4 ? world.link.a.ipv4 : world.link.a.ipv6;
  const remote = underlay === 4 ? world.link.b.ipv4 : world.link.b.ipv6;
  const socket = await bindSocket(underlay, local);
  const port = socket.address().port;
  const ourEndpoint = underlay === 4 ? `${local}:${port}` : `[${local}]:${port}`;
  const inner = INNER[underlay];
  try {
    world.stock.setPeer({
      publicKey: ourPublic,
      allowedIPs: [`${INNER[4].ours}/32`, `${INNER[6].ours}/128`],
      ...(psk ? { presharedKey: bytesToBase64(psk) } : {}),
      ...(c.role === 'responder' ? { endpoint: ourEndpoint } : {}),
    });
    const tunnel = new ManualTunnel({
      backend,
      privateKey: ourPrivate,
      peerPublicKey: world.stockPublicKey,
      ...(psk ? { presharedKey: psk } : {}),
      socket,
      peerEndpoint: { address: remote, port: STOCK_PORT },
    });
    const identifier = (Math.random() * 0xffff) >>> 0;
    const payload = Uint8Array.from({ length: 56 }, (_, i) => i);
    const started = performance.now();
    if (c.role === 'initiator') {
      await tunnel.initiate();
      const handshakeMs = performance.now() - started;
      steps.push(
        `sent a 148-byte initiation to wireguard-go at ${underlay === 4 ? remote : `[${remote}]`}:${STOCK_PORT}; its 92-byte response completed the handshake in ${handshakeMs.toFixed(1)} ms`,
      );
      const request = buildEcho({
        source: inner.ours,
        destination: inner.stock,
        type: underlay === 4 ? 8 : 128,
        identifier,
        sequence: 1,
        payload,
      });
      const sent = performance.now();
      tunnel.sendPacket(request);
      const reply = parseEcho(await tunnel.receivePacket());
      const roundTripMs = performance.now() - sent;
      if (
        !reply ||
        reply.type !== (underlay === 4 ? 0 : 129) ||
        reply.identifier !== identifier ||
        !sameBytes(reply.payload, payload)
      ) {
        throw new Error(`expected an echo reply with identifier ${identifier}, got ${JSON.stringify(reply)}`);
      }
      steps.push(
        `sent an encrypted ICMP echo request ${inner.ours} -> ${inner.stock}; decrypted wireguard-go's echo reply (identifier ${identifier}, same 56-byte payload) after ${roundTripMs.toFixed(1)} ms`,
      );
      return { steps, handshakeMs, roundTripMs };
    }
    const ping = world.topology.spawn(world.stock.namespace, 'ping', ['-c', '1', '-W', '5', inner.ours]);
    const pingDone = new Promise<number | null>((resolve) => ping.once('exit', (code) => resolve(code)));
    await tunnel.respond();
    const handshakeMs = performance.now() - started;
    steps.push(
      `ping inside the namespace made wireguard-go initiate from ${underlay === 4 ? tunnel.endpoint?.address : `[${tunnel.endpoint?.address}]`}:${tunnel.endpoint?.port}; we answered with a response`,
    );
    const request = parseEcho(await tunnel.receivePacket());
    if (!request || request.type !== (underlay === 4 ? 8 : 128) || request.destination !== inner.ours) {
      throw new Error(`expected an echo request to ${inner.ours}, got ${JSON.stringify(request)}`);
    }
    steps.push(
      `decrypted the echo request ${request.source} -> ${request.destination} (identifier ${request.identifier}) that followed the handshake`,
    );
    const sent = performance.now();
    tunnel.sendPacket(
      buildEcho({
        source: inner.ours,
        destination: request.source,
        type: underlay === 4 ? 0 : 129,
        identifier: request.identifier,
        sequence: request.sequence,
        payload: request.payload,
      }),
    );
    const code = await pingDone;
    const roundTripMs = performance.now() - sent;
    if (code !== 0) throw new Error(`ping in the namespace failed (exit ${code}): ${ping.log()}`);
    steps.push('sent an encrypted echo reply; ping in the namespace reported 1 received');
    return { steps, handshakeMs, roundTripMs };
  } finally {
    socket.close();
    world.stock.removePeer(ourPublic);
  }
}
