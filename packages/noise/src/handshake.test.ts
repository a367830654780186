import { bytesToHex, isAllZero } from '@pathwire/crypto';
import { describe, expect, it } from 'vitest';
import {
  consumeInitiation,
  consumeResponse,
  createInitiation,
  createResponse,
  HandshakePeer,
  INITIATION_LENGTH,
  messageType,
  RESPONSE_LENGTH,
  type SessionKeys,
  StaticIdentity,
} from './index.js';
import {
  backends,
  FIXED,
  flip,
  INITIATOR_INDEX,
  initiate,
  makePair,
  type Pair,
  type PairOptions,
  RESPONDER_INDEX,
  remac1,
  stamp,
  unaligned,
} from './test-support/fixtures.js';

interface Completed {
  initiation: Uint8Array;
  response: Uint8Array;
  initiatorKeys: SessionKeys;
  responderKeys: SessionKeys;
}

/** Runs a whole handshake, asserting every step succeeds. */
function handshake(pair: Pair, step = 1, now = 0, fixed = false): Completed {
  const initiation = initiate(pair, step, now, fixed ? FIXED.initiatorEphemeral : undefined);
  const consumed = consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now });
  if (!consumed.ok) throw consumed.error;
  expect(consumed.peer).toBe(pair.atResponder);
  expect(consumed.remoteIndex).toBe(INITIATOR_INDEX);
  const response = createResponse(pair.atResponder, {
    senderIndex: RESPONDER_INDEX,
    now,
    ...(fixed ? { ephemeralPrivate: FIXED.responderEphemeral } : {}),
  });
  if (!response.ok) throw response.error;
  const done = consumeResponse(pair.initiator, response.message, { lookupIndex: pair.lookupIndex, now });
  if (!done.ok) throw done.error;
  expect(done.peer).toBe(pair.atInitiator);
  return { initiation, response: response.message, initiatorKeys: done.keys, responderKeys: response.keys };
}

function expectMatchingKeys({ initiatorKeys: i, responderKeys: r }: Completed): void {
  expect(bytesToHex(i.sendKey)).toBe(bytesToHex(r.receiveKey));
  expect(bytesToHex(i.receiveKey)).toBe(bytesToHex(r.sendKey));
  expect(bytesToHex(i.sendKey)).not.toBe(bytesToHex(i.receiveKey));
  expect(i.sendKey).toHaveLength(32);
  expect(isAllZero(i.sendKey)).toBe(false);
  expect(i.isInitiator).toBe(true);
  expect(r.isInitiator).toBe(false);
  expect(i.localIndex).toBe(INITIATOR_INDEX);
  expect(i.remoteIndex).toBe(RESPONDER_INDEX);
  expect(r.localIndex).toBe(RESPONDER_INDEX);
  expect(r.remoteIndex).toBe(INITIATOR_INDEX);
}

const pskCases: { name: string; options: PairOptions }[] = [
  { name: 'without a PSK', options: {} },
  { name: 'with a PSK', options: { psk: FIXED.psk } },
];

describe.each(backends)('handshake on the $name backend', (backend) => {
  describe.each(pskCases)('$name', ({ options }) => {
    it('completes with matching keys and indices, and the wire layout of §5.4.2/§5.4.3', () => {
      const pair = makePair(backend, options);
      const done = handshake(pair);
      expectMatchingKeys(done);
      expect(done.initiation).toHaveLength(INITIATION_LENGTH);
      expect(done.response).toHaveLength(RESPONSE_LENGTH);
      expect(messageType(done.initiation)).toBe(1);
      expect(messageType(done.response)).toBe(2);
      const iv = new DataView(done.initiation.buffer);
      expect(iv.getUint32(4, true)).toBe(INITIATOR_INDEX);
      const rv = new DataView(done.response.buffer);
      expect(rv.getUint32(4, true)).toBe(RESPONDER_INDEX);
      expect(rv.getUint32(8, true)).toBe(INITIATOR_INDEX);
      // Not under load, no cookie: mac2 is zero on both messages.
      expect(isAllZero(done.initiation.subarray(132))).toBe(true);
      expect(isAllZero(done.response.subarray(76))).toBe(true);
      // Both sides forget the handshake state once done.
      expect(pair.atInitiator.state.kind).toBe('none');
      expect(pair.atResponder.state.kind).toBe('none');
    });

    it('works the other way round, and every handshake yields fresh keys', () => {
      const pair = makePair(backend, options);
      const first = handshake(pair, 1, 0);
      // Swap roles: the responder now initiates to the initiator.
      const reversed: Pair = {
        backend,
        initiator: pair.responder,
        responder: pair.initiator,
        atInitiator: pair.atResponder,
        atResponder: pair.atInitiator,
        lookupPeer: (key) =>
          bytesToHex(key) === bytesToHex(pair.responder.publicKey) ? pair.atInitiator : undefined,
        lookupIndex: (i) => (i === INITIATOR_INDEX ? pair.atResponder : undefined),
      };
      const second = handshake(reversed, 2, 1000);
      expectMatchingKeys(second);
      expect(bytesToHex(second.initiatorKeys.sendKey)).not.toBe(bytesToHex(first.initiatorKeys.sendKey));
      expect(bytesToHex(second.initiatorKeys.sendKey)).not.toBe(bytesToHex(first.responderKeys.sendKey));
    });

    it('accepts messages that are views at an odd offset into a larger buffer', () => {
      const pair = makePair(backend, options);
      const initiation = initiate(pair, 1);
      const consumed = consumeInitiation(pair.responder, unaligned(initiation), {
        lookupPeer: pair.lookupPeer,
        now: 0,
      });
      expect(consumed.ok).toBe(true);
      const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: 0 });
      if (!response.ok) throw response.error;
      const done = consumeResponse(pair.initiator, unaligned(response.message), {
        lookupIndex: pair.lookupIndex,
        now: 0,
      });
      if (!done.ok) throw done.error;
      expect(done.keys.remoteIndex).toBe(RESPONDER_INDEX);
      expect(bytesToHex(done.keys.sendKey)).toBe(bytesToHex(response.keys.receiveKey));
    });
  });

  it('a PSK changes the session keys', () => {
    const without = handshake(makePair(backend, { fixed: true }), 1, 0, true);
    const withPsk = handshake(makePair(backend, { fixed: true, psk: FIXED.psk }), 1, 0, true);
    // Same initiation (the PSK enters only in the response)...
    expect(bytesToHex(withPsk.initiation)).toBe(bytesToHex(without.initiation));
    // ...but a different response and different keys.
    expect(bytesToHex(withPsk.response)).not.toBe(bytesToHex(without.response));
    expect(bytesToHex(withPsk.initiatorKeys.sendKey)).not.toBe(bytesToHex(without.initiatorKeys.sendKey));
  });

  it.each([
    { name: 'initiator has a PSK, responder none', psk: FIXED.psk, responderPsk: new Uint8Array(32) },
    { name: 'responder has a PSK, initiator none', psk: undefined, responderPsk: FIXED.psk },
    { name: 'different PSKs', psk: FIXED.psk, responderPsk: FIXED.psk.map((b) => b ^ 0x80) },
  ])('PSK mismatch ($name): the response is DECRYPT_FAILED', ({ psk, responderPsk }) => {
    const pair = makePair(backend, { ...(psk ? { psk } : {}), responderPsk });
    const initiation = initiate(pair, 1);
    // The initiation does not depend on the PSK: the responder accepts it.
    expect(consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now: 0 }).ok).toBe(
      true,
    );
    const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: 0 });
    if (!response.ok) throw response.error;
    const done = consumeResponse(pair.initiator, response.message, { lookupIndex: pair.lookupIndex, now: 0 });
    expect(done.ok).toBe(false);
    if (!done.ok) expect(done.error.code).toBe('DECRYPT_FAILED');
    expect(pair.atInitiator.state.kind).toBe('initiation-created');
  });

  it('an initiation from an unknown key is UNKNOWN_PEER', () => {
    const pair = makePair(backend);
    const initiation = initiate(pair, 1);
    const result = consumeInitiation(pair.responder, initiation, { lookupPeer: () => undefined, now: 0 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('UNKNOWN_PEER');
    expect(pair.atResponder.state.kind).toBe('none');
  });

  it('an initiation for another responder is BAD_MAC1 (mac1 is keyed by the receiver)', () => {
    const pair = makePair(backend);
    const other = new StaticIdentity(backend, backend.generateSecretKey());
    const result = consumeInitiation(other, initiate(pair, 1), { lookupPeer: pair.lookupPeer, now: 0 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('BAD_MAC1');
  });

  it.each([
    { name: 'all zeros', key: new Uint8Array(32) },
    { name: 'u = 1', key: Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)) },
    {
      name: 'an order-8 point',
      key: Uint8Array.from(
        Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex'),
      ),
    },
  ])('a low-order peer public key ($name) is BAD_PUBLIC_KEY from createInitiation', ({ key }) => {
    const identity = new StaticIdentity(backend, backend.generateSecretKey());
    let peer: HandshakePeer | undefined;
    expect(() => {
      peer = new HandshakePeer(identity, key);
    }).not.toThrow();
    expect(peer!.unusable).toBe(true);
    const result = createInitiation(peer!, { senderIndex: 1, timestamp: stamp(1), now: 0 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('BAD_PUBLIC_KEY');
    expect(peer!.state.kind).toBe('none');
  });

  it('a configured low-order peer key is refused as BAD_PUBLIC_KEY when its initiation arrives', () => {
    const pair = makePair(backend);
    const lowOrderPeer = new HandshakePeer(pair.responder, new Uint8Array(32));
    const result = consumeInitiation(pair.responder, initiate(pair, 1), {
      lookupPeer: () => lowOrderPeer,
      now: 0,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('BAD_PUBLIC_KEY');
  });

  it('a low-order ephemeral (with a valid mac1) is BAD_PUBLIC_KEY, for the initiation and the response', () => {
    const pair = makePair(backend);
    const initiation = initiate(pair, 1);
    const badInitiation = Uint8Array.from(initiation);
    badInitiation.fill(0, 8, 40);
    const forged = remac1(backend, pair.responder.derived.mac1Key, badInitiation);
    let result: ReturnType<typeof consumeInitiation> | undefined;
    expect(() => {
      result = consumeInitiation(pair.responder, forged, { lookupPeer: pair.lookupPeer, now: 0 });
    }).not.toThrow();
    expect(result!.ok).toBe(false);
    if (!result!.ok) expect(result!.error.code).toBe('BAD_PUBLIC_KEY');

    expect(consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now: 0 }).ok).toBe(
      true,
    );
    const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: 0 });
    if (!response.ok) throw response.error;
    const badResponse = Uint8Array.from(response.message);
    badResponse.fill(0, 12, 44);
    let done: ReturnType<typeof consumeResponse> | undefined;
    expect(() => {
      done = consumeResponse(pair.initiator, remac1(backend, pair.initiator.derived.mac1Key, badResponse), {
        lookupIndex: pair.lookupIndex,
        now: 0,
      });
    }).not.toThrow();
    expect(done!.ok).toBe(false);
    if (!done!.ok) expect(done!.error.code).toBe('BAD_PUBLIC_KEY');
    // The in-flight initiation survived: the genuine response still completes.
    const genuine = consumeResponse(pair.initiator, response.message, {
      lookupIndex: pair.lookupIndex,
      now: 0,
    });
    expect(genuine.ok).toBe(true);
  });

  describe('state machine', () => {
    it('createResponse without a consumed initiation is WRONG_STATE', () => {
      const pair = makePair(backend);
      const result = createResponse(pair.atResponder, { senderIndex: 1, now: 0 });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('WRONG_STATE');
    });

    it('a response replayed after completion is WRONG_STATE; an unknown receiver is UNKNOWN_INDEX', () => {
      const pair = makePair(backend);
      const done = handshake(pair);
      const again = consumeResponse(pair.initiator, done.response, { lookupIndex: pair.lookupIndex, now: 0 });
      expect(again.ok).toBe(false);
      if (!again.ok) expect(again.error.code).toBe('WRONG_STATE');
      const unknown = consumeResponse(pair.initiator, done.response, {
        lookupIndex: () => undefined,
        now: 0,
      });
      expect(unknown.ok).toBe(false);
      if (!unknown.ok) expect(unknown.error.code).toBe('UNKNOWN_INDEX');
    });

    it('a response to an older initiation (superseded by a new one) is not accepted', () => {
      const pair = makePair(backend);
      const first = initiate(pair, 1, 0);
      expect(consumeInitiation(pair.responder, first, { lookupPeer: pair.lookupPeer, now: 0 }).ok).toBe(true);
      const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: 0 });
      if (!response.ok) throw response.error;
      // The initiator retries (same index, new ephemeral) before the response arrives.
      initiate(pair, 2, 5000);
      const result = consumeResponse(pair.initiator, response.message, {
        lookupIndex: pair.lookupIndex,
        now: 0,
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('DECRYPT_FAILED');
    });

    it('the responder state survives a rejected (replayed or flooding) initiation', () => {
      const pair = makePair(backend);
      const initiation = initiate(pair, 1, 0);
      expect(consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now: 0 }).ok).toBe(
        true,
      );
      const replay = consumeInitiation(pair.responder, initiation, {
        lookupPeer: pair.lookupPeer,
        now: 1000,
      });
      expect(replay.ok).toBe(false);
      // A forged initiation (bad mac1) as well.
      const forged = consumeInitiation(pair.responder, flip(initiation, 50), {
        lookupPeer: pair.lookupPeer,
        now: 1000,
      });
      expect(forged.ok).toBe(false);
      expect(pair.atResponder.state.kind).toBe('initiation-consumed');
      const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: 1000 });
      if (!response.ok) throw response.error;
      const done = consumeResponse(pair.initiator, response.message, {
        lookupIndex: pair.lookupIndex,
        now: 1000,
      });
      if (!done.ok) throw done.error;
      expect(bytesToHex(done.keys.sendKey)).toBe(bytesToHex(response.keys.receiveKey));
    });
  });

  describe('replay and flood protection', () => {
    const consume = (pair: Pair, message: Uint8Array, now: number) =>
      consumeInitiation(pair.responder, message, { lookupPeer: pair.lookupPeer, now });
    const codeOf = (result: ReturnType<typeof consume>) => (result.ok ? 'ok' : result.error.code);

    it('the same initiation twice is REPLAYED_TIMESTAMP, however late', () => {
      const pair = makePair(backend);
      const initiation = initiate(pair, 1, 0);
      expect(codeOf(consume(pair, initiation, 0))).toBe('ok');
      expect(codeOf(consume(pair, initiation, 1000))).toBe('REPLAYED_TIMESTAMP');
      expect(codeOf(consume(pair, initiation, 10_000_000))).toBe('REPLAYED_TIMESTAMP');
    });

    it('an older or equal timestamp is REPLAYED_TIMESTAMP', () => {
      const pair = makePair(backend);
      const older = initiate(pair, 1, 0);
      const equal = initiate(pair, 5, 0);
      const newest = initiate(pair, 5, 0);
      expect(bytesToHex(equal)).not.toBe(bytesToHex(newest)); // fresh ephemerals
      expect(codeOf(consume(pair, newest, 0))).toBe('ok');
      expect(codeOf(consume(pair, older, 1000))).toBe('REPLAYED_TIMESTAMP');
      expect(codeOf(consume(pair, equal, 2000))).toBe('REPLAYED_TIMESTAMP');
      expect(codeOf(consume(pair, initiate(pair, 6, 0), 3000))).toBe('ok');
    });

    it('a second initiation within 20 ms is INITIATION_FLOOD; after more than 20 ms it is accepted', () => {
      const pair = makePair(backend);
      expect(codeOf(consume(pair, initiate(pair, 1), 100))).toBe('ok');
      const second = initiate(pair, 2);
      expect(codeOf(consume(pair, second, 100))).toBe('INITIATION_FLOOD');
      expect(codeOf(consume(pair, second, 110))).toBe('INITIATION_FLOOD');
      expect(codeOf(consume(pair, second, 120))).toBe('INITIATION_FLOOD');
      // The flood rejections recorded nothing: the same message is accepted once 20 ms have passed.
      expect(codeOf(consume(pair, second, 121))).toBe('ok');
      // And the 20 ms run from the last accepted initiation.
      expect(codeOf(consume(pair, initiate(pair, 3), 141))).toBe('INITIATION_FLOOD');
      expect(codeOf(consume(pair, initiate(pair, 4), 142))).toBe('ok');
    });

    it('a replay check comes before the flood check (an old message inside 20 ms is REPLAYED_TIMESTAMP)', () => {
      const pair = makePair(backend);
      const initiation = initiate(pair, 1);
      expect(codeOf(consume(pair, initiation, 0))).toBe('ok');
      expect(codeOf(consume(pair, initiation, 5))).toBe('REPLAYED_TIMESTAMP');
    });
  });
});

describe('the two backends produce byte-identical handshakes', () => {
  it.each(pskCases)('fixed keys, ephemerals and timestamp ($name)', ({ options }) => {
    const [noble, node] = backends.map((backend) =>
      handshake(makePair(backend, { ...options, fixed: true }), 1, 0, true),
    );
    expect(bytesToHex(node!.initiation)).toBe(bytesToHex(noble!.initiation));
    expect(bytesToHex(node!.response)).toBe(bytesToHex(noble!.response));
    expect(bytesToHex(node!.initiatorKeys.sendKey)).toBe(bytesToHex(noble!.initiatorKeys.sendKey));
    expect(bytesToHex(node!.initiatorKeys.receiveKey)).toBe(bytesToHex(noble!.initiatorKeys.receiveKey));
    expectMatchingKeys(noble!);
  });

  it('fixed ephemerals make the messages reproducible, and the ephemeral shows on the wire', () => {
    const backend = backends[0]!;
    const a = handshake(makePair(backend, { fixed: true }), 1, 0, true);
    const b = handshake(makePair(backend, { fixed: true }), 1, 0, true);
    expect(bytesToHex(a.initiation)).toBe(bytesToHex(b.initiation));
    expect(bytesToHex(a.initiation.subarray(8, 40))).toBe(
      bytesToHex(backend.publicKey(FIXED.initiatorEphemeral)),
    );
    expect(bytesToHex(a.response.subarray(12, 44))).toBe(
      bytesToHex(backend.publicKey(FIXED.responderEphemeral)),
    );
    // A different timestamp changes only the encrypted timestamp and the MACs.
    const c = handshake(makePair(backend, { fixed: true }), 2, 0, true);
    expect(bytesToHex(c.initiation.subarray(0, 88))).toBe(bytesToHex(a.initiation.subarray(0, 88)));
    expect(bytesToHex(c.initiation.subarray(88, 116))).not.toBe(bytesToHex(a.initiation.subarray(88, 116)));
  });

  it('a message made on one backend is consumed on the other', () => {
    const [noble, node] = backends as [(typeof backends)[0], (typeof backends)[0]];
    const a = makePair(noble, { fixed: true, psk: FIXED.psk });
    const b = makePair(node, { fixed: true, psk: FIXED.psk });
    // noble initiator -> node responder -> noble initiator.
    const initiation = initiate(a, 1);
    expect(consumeInitiation(b.responder, initiation, { lookupPeer: b.lookupPeer, now: 0 }).ok).toBe(true);
    const response = createResponse(b.atResponder, { senderIndex: RESPONDER_INDEX, now: 0 });
    if (!response.ok) throw response.error;
    const done = consumeResponse(a.initiator, response.message, { lookupIndex: a.lookupIndex, now: 0 });
    if (!done.ok) throw done.error;
    expect(bytesToHex(done.keys.sendKey)).toBe(bytesToHex(response.keys.receiveKey));
    expect(bytesToHex(done.keys.receiveKey)).toBe(bytesToHex(response.keys.sendKey));
  });
});
