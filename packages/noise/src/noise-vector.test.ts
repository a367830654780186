/**
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s known answers from the cacophony collection
 * (test/vectors/noise-ikpsk2-cacophony.json, provenance inside): the Noise core of WireGuard's
 * handshake, run through our SymmetricState with the vector's prologue, keys, PSK and payloads,
 * token by token (Noise spec §5, §7.5 IK, §9 psk2), then its transport messages after Split().
 * Then the same token sequence, given WireGuard's prologue and payloads, must write exactly the
 * bytes createInitiation / createResponse write: so the WireGuard messages are the vector-checked
 * Noise messages, not merely self-consistent.
 */

import { readFileSync } from 'node:fs';
import type { CryptoBackend } from '@pathwire/crypto';
import { describe, expect, it } from 'vitest';
import { CONSTRUCTION, consumeInitiation, createResponse, IDENTIFIER, SymmetricState } from './index.js';
import {
  backends,
  FIXED,
  hex,
  INITIATOR_INDEX,
  initiate,
  makePair,
  RESPONDER_INDEX,
  stamp,
  toHex,
} from './test-support/fixtures.js';

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_psks: string[];
  init_static: string;
  init_ephemeral: string;
  init_remote_static: string;
  resp_static: string;
  resp_ephemeral: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}
const { vector: v } = JSON.parse(
  readFileSync(new URL('../test/vectors/noise-ikpsk2-cacophony.json', import.meta.url), 'utf8'),
) as { vector: Vector };

const EMPTY = new Uint8Array(0);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** InitializeSymmetric(name) (the name is longer than HASHLEN: h = HASH(name)), MixHash(prologue), `<- s`. */
function start(backend: CryptoBackend, prologue: Uint8Array, responderStatic: Uint8Array): SymmetricState {
  const state = new SymmetricState(backend, backend.hash(CONSTRUCTION), backend.hash(CONSTRUCTION));
  state.mixHash(prologue);
  state.mixHash(responderStatic);
  return state;
}

/** `-> e, es, s, ss` + payload, the initiator writing. With a PSK, `e` also mixes the key (§9.2). */
function writeMessage1(
  state: SymmetricState,
  backend: CryptoBackend,
  keys: { s: Uint8Array; e: Uint8Array; rs: Uint8Array },
  payload: Uint8Array,
): Uint8Array {
  const e = backend.publicKey(keys.e);
  state.mixHash(e);
  state.mixChainingKey(e);
  const sealedStatic = state.encryptAndHash(
    state.mixKey(backend.sharedSecret(keys.e, keys.rs)),
    backend.publicKey(keys.s),
  );
  const sealedPayload = state.encryptAndHash(state.mixKey(backend.sharedSecret(keys.s, keys.rs)), payload);
  return concat(e, sealedStatic, sealedPayload);
}

/** `<- e, ee, se, psk` + payload, the responder writing. */
function writeMessage2(
  state: SymmetricState,
  backend: CryptoBackend,
  keys: { e: Uint8Array; re: Uint8Array; rs: Uint8Array; psk: Uint8Array },
  payload: Uint8Array,
): Uint8Array {
  const e = backend.publicKey(keys.e);
  state.mixHash(e);
  state.mixChainingKey(e);
  state.mixChainingKey(backend.sharedSecret(keys.e, keys.re)); // ee
  state.mixChainingKey(backend.sharedSecret(keys.e, keys.rs)); // se
  return concat(e, state.encryptAndHash(state.mixKeyAndHash(keys.psk), payload));
}

describe.each(backends)('the cacophony Noise_IKpsk2 vector on the $name backend', (backend) => {
  it('is the protocol WireGuard names', () => {
    expect(new TextDecoder().decode(CONSTRUCTION)).toBe(v.protocol_name);
  });

  it('writes both handshake messages and the handshake hash byte for byte; the responder reads them', () => {
    const initiator = start(backend, hex(v.init_prologue), hex(v.init_remote_static));
    const responderStatic = hex(v.resp_static);
    expect(toHex(backend.publicKey(responderStatic))).toBe(v.init_remote_static);
    const message1 = writeMessage1(
      initiator,
      backend,
      { s: hex(v.init_static), e: hex(v.init_ephemeral), rs: hex(v.init_remote_static) },
      hex(v.messages[0]!.payload),
    );
    expect(toHex(message1)).toBe(v.messages[0]!.ciphertext);

    // The responder reads message 1 with its own keys only.
    const responder = start(backend, hex(v.init_prologue), backend.publicKey(responderStatic));
    const re = message1.subarray(0, 32);
    responder.mixHash(re);
    responder.mixChainingKey(re);
    const rs = responder.decryptAndHash(
      responder.mixKey(backend.sharedSecret(responderStatic, re)),
      message1.subarray(32, 80),
    );
    expect(rs && toHex(rs)).toBe(toHex(backend.publicKey(hex(v.init_static))));
    const payload1 = responder.decryptAndHash(
      responder.mixKey(backend.sharedSecret(responderStatic, rs!)),
      message1.subarray(80),
    );
    expect(payload1 && toHex(payload1)).toBe(v.messages[0]!.payload);

    const message2 = writeMessage2(
      responder,
      backend,
      { e: hex(v.resp_ephemeral), re, rs: rs!, psk: hex(v.init_psks[0]!) },
      hex(v.messages[1]!.payload),
    );
    expect(toHex(message2)).toBe(v.messages[1]!.ciphertext);
    expect(toHex(responder.hash)).toBe(v.handshake_hash);

    // The initiator reads message 2: ee = DH(e, re), se = DH(s, re).
    const e2 = message2.subarray(0, 32);
    initiator.mixHash(e2);
    initiator.mixChainingKey(e2);
    initiator.mixChainingKey(backend.sharedSecret(hex(v.init_ephemeral), e2));
    initiator.mixChainingKey(backend.sharedSecret(hex(v.init_static), e2));
    const payload2 = initiator.decryptAndHash(
      initiator.mixKeyAndHash(hex(v.init_psks[0]!)),
      message2.subarray(32),
    );
    expect(payload2 && toHex(payload2)).toBe(v.messages[1]!.payload);
    expect(toHex(initiator.hash)).toBe(v.handshake_hash);

    // Split(): the initiator sends with the first key, the responder with the second; nonces count up.
    const [initiatorToResponder, responderToInitiator] = initiator.split();
    const [k1, k2] = responder.split();
    expect(toHex(k1)).toBe(toHex(initiatorToResponder));
    expect(toHex(k2)).toBe(toHex(responderToInitiator));
    v.messages.slice(2).forEach((message, i) => {
      const key = i % 2 === 0 ? k1 : k2;
      const counter = Math.floor(i / 2);
      expect(toHex(backend.seal(key, counter, hex(message.payload), EMPTY)), `message ${i + 3}`).toBe(
        message.ciphertext,
      );
    });
  });

  it('the same token sequence with WireGuard’s prologue and payloads writes what createInitiation and createResponse write', () => {
    const pair = makePair(backend, { fixed: true, psk: FIXED.psk });
    const responderPublic = backend.publicKey(FIXED.responderStatic);
    const noise = start(backend, IDENTIFIER, responderPublic);
    expect(toHex(noise.hash)).toBe(toHex(SymmetricState.initialize(backend, responderPublic).hash));
    const keys = { s: FIXED.initiatorStatic, e: FIXED.initiatorEphemeral, rs: responderPublic };
    const message1 = writeMessage1(noise, backend, keys, stamp(1));
    const initiation = initiate(pair, 1, 0, FIXED.initiatorEphemeral);
    expect(toHex(initiation.subarray(8, 116))).toBe(toHex(message1)); // e, {s}, {timestamp}

    const consumed = consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now: 0 });
    if (!consumed.ok) throw consumed.error;
    const response = createResponse(pair.atResponder, {
      senderIndex: RESPONDER_INDEX,
      now: 0,
      ephemeralPrivate: FIXED.responderEphemeral,
    });
    if (!response.ok) throw response.error;
    const message2 = writeMessage2(
      noise,
      backend,
      {
        e: FIXED.responderEphemeral,
        re: backend.publicKey(FIXED.initiatorEphemeral),
        rs: backend.publicKey(FIXED.initiatorStatic),
        psk: FIXED.psk,
      },
      EMPTY,
    );
    expect(toHex(response.message.subarray(12, 60))).toBe(toHex(message2)); // e, {empty}
    expect(new DataView(response.message.buffer).getUint32(8, true)).toBe(INITIATOR_INDEX);
    const [initiatorToResponder, responderToInitiator] = noise.split();
    expect(toHex(response.keys.receiveKey)).toBe(toHex(initiatorToResponder));
    expect(toHex(response.keys.sendKey)).toBe(toHex(responderToInitiator));
  });
});
