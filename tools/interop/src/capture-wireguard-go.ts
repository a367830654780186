/**
 * Captures a fixed-key handshake with a stock wireguard-go, for the offline wire-compatibility
 * test (`wireguard-go-capture.test.ts`): wireguard-go's own initiation to us, our initiation (fixed
 * ephemeral key, timestamp and index, so we can rebuild it byte for byte), wireguard-go's response
 * and its data messages up to the echo reply to our echo request. Writes
 * `test/vectors/wireguard-go-handshake.json` with the wireguard-go version and the date.
 * Needs root (a namespace and wireguard-go):
 *
 *   pnpm --filter @pathwire/interop build && node tools/interop/dist/capture-wireguard-go.js
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bytesToBase64, bytesToHex, hexToBytes } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { buildIcmpEcho as buildEcho } from '@pathwire/ip';
import {
  consumeResponse,
  createInitiation,
  HandshakePeer,
  MESSAGE_INITIATION,
  MESSAGE_RESPONSE,
  messageType,
  StaticIdentity,
  tai64n,
} from '@pathwire/noise';
import { startWireguardGo, Topology } from '@pathwire/testkit';
import { isDataMessage, Keypair, sealData, sealedLength } from '@pathwire/transport';
import { DatagramQueue } from './datagram-queue.js';
import { INNER } from './scenario.js';

/** Test keys (never used anywhere else): any 32 bytes are an X25519 secret. */
export const CAPTURE_KEYS = {
  ourPrivate: '18b6c1d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a846',
  ourEphemeral: '30a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e4f',
  stockPrivate: '485f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877665544332271',
  presharedKey: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
} as const;
export const CAPTURE_SENDER_INDEX = 0x0badc0de;
/** The TAI64N timestamp of our initiation: 2026-01-01T00:00:00Z. */
export const CAPTURE_TIME_MS = Date.UTC(2026, 0, 1);
export const CAPTURE_ECHO = { identifier: 0x7077, sequence: 1, payloadLength: 56 } as const;

async function main(): Promise<void> {
  const backend = nodeBackend;
  const ourPrivate = hexToBytes(CAPTURE_KEYS.ourPrivate);
  const stockPrivate = hexToBytes(CAPTURE_KEYS.stockPrivate);
  const psk = hexToBytes(CAPTURE_KEYS.presharedKey);
  const topology = Topology.create();
  try {
    const namespace = topology.namespace('cap');
    const link = topology.link(null, namespace);
    const stock = await startWireguardGo(topology, namespace, 'wg', {
      privateKey: bytesToBase64(stockPrivate),
      listenPort: 51820,
      addresses: [INNER[4].stockCidr],
      peers: [],
    });
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, link.a.ipv4, () => resolve()));
    const queue = new DatagramQueue(socket);
    const received: Uint8Array[] = [];
    const next = async (type: number, what: string) => {
      for (;;) {
        const datagram = await queue.next(what, 10_000);
        received.push(datagram.data);
        if (type === 4 ? isDataMessage(datagram.data) : messageType(datagram.data) === type)
          return datagram.data;
      }
    };
    stock.setPeer({
      publicKey: bytesToBase64(backend.publicKey(ourPrivate)),
      presharedKey: bytesToBase64(psk),
      allowedIPs: [`${INNER[4].ours}/32`],
      endpoint: `${link.a.ipv4}:${socket.address().port}`,
    });
    // 1. wireguard-go initiates: a ping to our inner address needs a session.
    topology.spawn(namespace, 'ping', ['-c', '1', '-W', '2', INNER[4].ours]);
    const stockInitiation = await next(MESSAGE_INITIATION, "wireguard-go's initiation");
    // 2. We initiate with fixed values; wireguard-go responds.
    const identity = new StaticIdentity(backend, ourPrivate);
    const peer = new HandshakePeer(identity, backend.publicKey(stockPrivate), psk);
    const created = createInitiation(peer, {
      senderIndex: CAPTURE_SENDER_INDEX,
      timestamp: tai64n(CAPTURE_TIME_MS),
      now: 0,
      ephemeralPrivate: hexToBytes(CAPTURE_KEYS.ourEphemeral),
    });
    if (!created.ok) throw created.error;
    const send = (bytes: Uint8Array) => socket.send(bytes, 51820, link.b.ipv4);
    send(created.message);
    const stockResponse = await next(MESSAGE_RESPONSE, "wireguard-go's response");
    const done = consumeResponse(identity, stockResponse, { lookupIndex: () => peer, now: 0 });
    if (!done.ok) throw done.error;
    const keypair = new Keypair(done.keys, 0);
    // 3. Our echo request, counter 0; wireguard-go's data messages until its echo reply.
    const request = buildEcho({
      source: INNER[4].ours,
      destination: INNER[4].stock,
      type: 8,
      identifier: CAPTURE_ECHO.identifier,
      sequence: CAPTURE_ECHO.sequence,
      payload: Uint8Array.from({ length: CAPTURE_ECHO.payloadLength }, (_, i) => i),
    });
    const ourData = new Uint8Array(sealedLength(request.length));
    const length = sealData(backend, keypair, request, ourData);
    send(ourData.subarray(0, length));
    const stockData: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) {
      const data = await next(4, "wireguard-go's data messages").catch(() => undefined);
      if (!data) break;
      stockData.push(data);
    }
    socket.close();
    const version = execFileSync('wireguard-go', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
    const out = fileURLToPath(new URL('../test/vectors/wireguard-go-handshake.json', import.meta.url));
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          provenance: {
            capturedWith:
              'tools/interop/src/capture-wireguard-go.ts (pathwire over a UDP socket, wireguard-go in a network namespace)',
            wireguardGo: version,
            date: new Date().toISOString(),
            note: 'test keys only; our initiation is rebuilt from the fixed values, the rest is what wireguard-go sent',
          },
          keys: CAPTURE_KEYS,
          senderIndex: CAPTURE_SENDER_INDEX,
          timestampMs: CAPTURE_TIME_MS,
          echo: CAPTURE_ECHO,
          inner: { ours: INNER[4].ours, stock: INNER[4].stock },
          ourInitiation: bytesToHex(created.message),
          stockResponse: bytesToHex(stockResponse),
          ourData: bytesToHex(ourData.subarray(0, length)),
          stockData: stockData.map(bytesToHex),
          stockInitiation: bytesToHex(stockInitiation),
        },
        null,
        2,
      )}\n`,
    );
    console.log(`wrote ${out} (${stockData.length} data messages from ${version})`);
  } finally {
    topology.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
