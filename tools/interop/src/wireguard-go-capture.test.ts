/**
 * Wire compatibility without root: a handshake captured from a stock wireguard-go
 * (test/vectors/wireguard-go-handshake.json, made by capture-wireguard-go.ts, provenance inside)
 * replayed through @pathwire/noise and @pathwire/transport on both crypto backends. We rebuild our
 * initiation byte for byte, accept wireguard-go's response to it, decrypt its echo reply, rebuild
 * our echo request, and accept wireguard-go's own initiation.
 */
import { readFileSync } from 'node:fs';
import { type CryptoBackend, hexToBytes, nobleBackend } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { buildIcmpEcho as buildEcho, parseIcmpEcho as parseEcho } from '@pathwire/ip';
import {
  consumeInitiation,
  consumeResponse,
  createInitiation,
  HandshakePeer,
  StaticIdentity,
  tai64n,
} from '@pathwire/noise';
import { Keypair, openData, sealData, sealedLength } from '@pathwire/transport';
import { describe, expect, it } from 'vitest';

const capture = JSON.parse(
  readFileSync(new URL('../test/vectors/wireguard-go-handshake.json', import.meta.url), 'utf8'),
) as {
  provenance: { wireguardGo: string; date: string };
  keys: { ourPrivate: string; ourEphemeral: string; stockPrivate: string; presharedKey: string };
  senderIndex: number;
  timestampMs: number;
  echo: { identifier: number; sequence: number; payloadLength: number };
  inner: { ours: string; stock: string };
  ourInitiation: string;
  stockResponse: string;
  ourData: string;
  stockData: string[];
  stockInitiation: string;
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const backends: CryptoBackend[] = [nobleBackend, nodeBackend];

describe.each(backends)(
  `a handshake captured from ${capture.provenance.wireguardGo}, on the $name backend`,
  (backend) => {
    const setup = () => {
      const identity = new StaticIdentity(backend, hexToBytes(capture.keys.ourPrivate));
      const stockPublic = backend.publicKey(hexToBytes(capture.keys.stockPrivate));
      const peer = new HandshakePeer(identity, stockPublic, hexToBytes(capture.keys.presharedKey));
      return { identity, stockPublic, peer };
    };
    const echoRequest = () =>
      buildEcho({
        source: capture.inner.ours,
        destination: capture.inner.stock,
        type: 8,
        identifier: capture.echo.identifier,
        sequence: capture.echo.sequence,
        payload: Uint8Array.from({ length: capture.echo.payloadLength }, (_, i) => i),
      });

    it('our initiation (fixed ephemeral, timestamp, index) is still the one wireguard-go answered', () => {
      const { peer } = setup();
      const created = createInitiation(peer, {
        senderIndex: capture.senderIndex,
        timestamp: tai64n(capture.timestampMs),
        now: 0,
        ephemeralPrivate: hexToBytes(capture.keys.ourEphemeral),
      });
      if (!created.ok) throw created.error;
      expect(hex(created.message)).toBe(capture.ourInitiation);
    });

    it("wireguard-go's response completes our handshake; its echo reply decrypts; our echo request is rebuilt", () => {
      const { identity, peer } = setup();
      const created = createInitiation(peer, {
        senderIndex: capture.senderIndex,
        timestamp: tai64n(capture.timestampMs),
        now: 0,
        ephemeralPrivate: hexToBytes(capture.keys.ourEphemeral),
      });
      if (!created.ok) throw created.error;
      const done = consumeResponse(identity, hexToBytes(capture.stockResponse), {
        lookupIndex: () => peer,
        now: 0,
      });
      if (!done.ok) throw done.error;
      expect(done.keys.localIndex).toBe(capture.senderIndex);
      const keypair = new Keypair(done.keys, 0);

      const request = echoRequest();
      const sealed = new Uint8Array(sealedLength(request.length));
      const length = sealData(backend, keypair, request, sealed);
      expect(hex(sealed.subarray(0, length))).toBe(capture.ourData);

      const packets = capture.stockData.map((data) => {
        const message = hexToBytes(data);
        const plain = new Uint8Array(message.length);
        const opened = openData(backend, keypair, message, plain);
        expect(opened, 'a data message from wireguard-go opens').toBeGreaterThanOrEqual(0);
        return plain.subarray(0, opened);
      });
      const replies = packets.map((p) => parseEcho(p)).filter((e) => e?.type === 0);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({
        identifier: capture.echo.identifier,
        sequence: capture.echo.sequence,
      });
      expect(hex(replies[0]!.payload)).toBe(
        hex(Uint8Array.from({ length: capture.echo.payloadLength }, (_, i) => i)),
      );
    });

    it("wireguard-go's own initiation is accepted: its static key decrypts to the stock peer's", () => {
      const { identity, stockPublic, peer } = setup();
      const consumed = consumeInitiation(identity, hexToBytes(capture.stockInitiation), {
        lookupPeer: (key) => (hex(key) === hex(stockPublic) ? peer : undefined),
        now: 0,
      });
      if (!consumed.ok) throw consumed.error;
      expect(consumed.peer).toBe(peer);
      // Its TAI64N timestamp (seconds since 1970 + 2^62, big-endian) is the capture's date, give or take.
      const seconds = Number(
        new DataView(peer.lastTimestamp.buffer, peer.lastTimestamp.byteOffset).getBigUint64(0) - 2n ** 62n,
      );
      expect(Math.abs(seconds * 1000 - Date.parse(capture.provenance.date))).toBeLessThan(86_400_000);
    });

    it('a flipped bit in the response is refused', () => {
      const { identity, peer } = setup();
      createInitiation(peer, {
        senderIndex: capture.senderIndex,
        timestamp: tai64n(capture.timestampMs),
        now: 0,
        ephemeralPrivate: hexToBytes(capture.keys.ourEphemeral),
      });
      const response = hexToBytes(capture.stockResponse);
      response[20]! ^= 1; // inside the ephemeral key
      expect(consumeResponse(identity, response, { lookupIndex: () => peer, now: 0 }).ok).toBe(false);
    });
  },
);
