/**
 * Hostile input: every handshake message truncated, extended, re-typed and with one byte flipped in
 * each field. Every consume function must return a rejection with the right code and never throw.
 */
import { bytesToHex, type CryptoBackend } from '@pathwire/crypto';
import { describe, expect, it } from 'vitest';
import {
  COOKIE_REPLY_LENGTH,
  CookieChecker,
  consumeCookieReply,
  consumeInitiation,
  consumeResponse,
  createResponse,
  type HandshakeErrorCode,
  INITIATION_LENGTH,
  messageType,
  RESPONSE_LENGTH,
  type Result,
} from './index.js';
import {
  backends,
  flip,
  INITIATOR_INDEX,
  initiate,
  makePair,
  type Pair,
  prng,
  RESPONDER_INDEX,
  remac1,
} from './test-support/fixtures.js';

const SOURCE = Uint8Array.from([192, 0, 2, 1, 0xca, 0x6c]);

/** Runs `run`, asserting it does not throw, and returns the error code or 'ok'. */
function codeOf(run: () => Result<object>): HandshakeErrorCode | 'ok' {
  let result: Result<object> | undefined;
  expect(() => {
    result = run();
  }).not.toThrow();
  return result!.ok ? 'ok' : result!.error.code;
}

interface Kind {
  readonly name: string;
  readonly type: number;
  readonly length: number;
  /** A fresh valid message plus a consume function bound to the state it was made for. */
  readonly make: (backend: CryptoBackend) => {
    message: Uint8Array;
    consume: (m: Uint8Array) => Result<object>;
  };
  /** [field, start, end, expected code for a flipped byte] (bytes 0..4 are the type header, tested apart). */
  readonly fields: readonly [string, number, number, HandshakeErrorCode | 'ok'][];
}

function makeInitiation(backend: CryptoBackend) {
  const pair = makePair(backend);
  const message = initiate(pair, 1);
  // A fresh peer state for each call: an accepted initiation would make the next one a replay.
  const consume = (m: Uint8Array) => {
    pair.atResponder.lastTimestamp = new Uint8Array(12);
    pair.atResponder.lastInitiationConsumedAt = Number.NEGATIVE_INFINITY;
    return consumeInitiation(pair.responder, m, { lookupPeer: pair.lookupPeer, now: 0 });
  };
  return { message, consume, pair };
}

function makeResponse(backend: CryptoBackend) {
  const pair = makePair(backend);
  const initiation = initiate(pair, 1);
  const consumed = consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now: 0 });
  if (!consumed.ok) throw consumed.error;
  const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: 0 });
  if (!response.ok) throw response.error;
  const inFlight = pair.atInitiator.state;
  if (inFlight.kind !== 'initiation-created') throw new Error('expected an initiation in flight');
  const saved = {
    symmetric: inFlight.symmetric.clone(),
    ephemeralPrivate: Uint8Array.from(inFlight.ephemeralPrivate),
  };
  // Restores the in-flight handshake after an accepted response cleared it (fresh copy of its secrets).
  const consume = (m: Uint8Array) => {
    if (pair.atInitiator.state.kind === 'none') {
      pair.atInitiator.state = {
        ...inFlight,
        symmetric: saved.symmetric.clone(),
        ephemeralPrivate: Uint8Array.from(saved.ephemeralPrivate),
      };
    }
    return consumeResponse(pair.initiator, m, { lookupIndex: pair.lookupIndex, now: 0 });
  };
  return { message: response.message, consume, pair };
}

function makeCookieReply(backend: CryptoBackend) {
  const pair = makePair(backend);
  const initiation = initiate(pair, 1);
  const checker = new CookieChecker(pair.responder);
  const message = checker.createReply(initiation, SOURCE, 0);
  const consume = (m: Uint8Array) => consumeCookieReply(m, { lookupIndex: pair.lookupIndex, now: 0 });
  return { message, consume, pair };
}

const kinds: readonly Kind[] = [
  {
    name: 'initiation',
    type: 1,
    length: INITIATION_LENGTH,
    make: makeInitiation,
    fields: [
      ['sender', 4, 8, 'BAD_MAC1'],
      ['ephemeral', 8, 40, 'BAD_MAC1'],
      ['static', 40, 88, 'BAD_MAC1'],
      ['timestamp', 88, 116, 'BAD_MAC1'],
      ['mac1', 116, 132, 'BAD_MAC1'],
      // mac2 is not covered by mac1 and is checked only under load (CookieChecker).
      ['mac2', 132, 148, 'ok'],
    ],
  },
  {
    name: 'response',
    type: 2,
    length: RESPONSE_LENGTH,
    make: makeResponse,
    fields: [
      ['sender', 4, 8, 'BAD_MAC1'],
      ['receiver', 8, 12, 'BAD_MAC1'],
      ['ephemeral', 12, 44, 'BAD_MAC1'],
      ['empty', 44, 60, 'BAD_MAC1'],
      ['mac1', 60, 76, 'BAD_MAC1'],
      ['mac2', 76, 92, 'ok'],
    ],
  },
  {
    name: 'cookie reply',
    type: 3,
    length: COOKIE_REPLY_LENGTH,
    make: makeCookieReply,
    fields: [
      ['receiver', 4, 8, 'UNKNOWN_INDEX'],
      ['nonce', 8, 32, 'DECRYPT_FAILED'],
      ['cookie', 32, 64, 'DECRYPT_FAILED'],
    ],
  },
];

describe.each(backends)('bad input on the $name backend', (backend) => {
  describe.each(kinds)('$name', (kind) => {
    it('the genuine message is accepted (the baseline for the cases below)', () => {
      const { message, consume } = kind.make(backend);
      expect(message).toHaveLength(kind.length);
      expect(messageType(message)).toBe(kind.type);
      expect(codeOf(() => consume(message))).toBe('ok');
    });

    it('every truncation 0..len-1 and len+1 (and a doubled message) is BAD_LENGTH', () => {
      const { message, consume } = kind.make(backend);
      const lengths = [...Array.from({ length: kind.length }, (_, i) => i), kind.length + 1, kind.length * 2];
      for (const length of lengths) {
        const candidate = new Uint8Array(length);
        candidate.set(message.subarray(0, Math.min(length, kind.length)));
        if (length > kind.length) candidate.set(message.subarray(0, length - kind.length), kind.length);
        expect(
          codeOf(() => consume(candidate)),
          `length ${length}`,
        ).toBe('BAD_LENGTH');
      }
      // Nothing was disturbed: the genuine message still goes through.
      expect(codeOf(() => consume(message))).toBe('ok');
    });

    it('every wrong type byte and every non-zero reserved byte is BAD_TYPE', () => {
      const { message, consume } = kind.make(backend);
      let count = 0;
      for (let value = 0; value < 256; value++) {
        if (value === kind.type) continue;
        const candidate = Uint8Array.from(message);
        candidate[0] = value;
        expect(
          codeOf(() => consume(candidate)),
          `type byte ${value}`,
        ).toBe('BAD_TYPE');
        count++;
      }
      for (const offset of [1, 2, 3]) {
        for (let value = 1; value < 256; value++) {
          const candidate = Uint8Array.from(message);
          candidate[offset] = value;
          expect(
            codeOf(() => consume(candidate)),
            `reserved byte ${offset} = ${value}`,
          ).toBe('BAD_TYPE');
          count++;
        }
      }
      expect(count).toBe(255 + 3 * 255);
      expect(codeOf(() => consume(message))).toBe('ok');
    });

    it('a flipped byte in each field is rejected with the expected code (every byte, two bit patterns)', () => {
      const { message, consume } = kind.make(backend);
      const covered = new Set<number>();
      for (const [field, start, end, expected] of kind.fields) {
        for (let offset = start; offset < end; offset++) {
          for (const mask of [0x01, 0x80]) {
            covered.add(offset);
            expect(
              codeOf(() => consume(flip(message, offset, mask))),
              `${field} byte ${offset} ^ ${mask}`,
            ).toBe(expected);
          }
        }
      }
      expect(covered.size).toBe(kind.length - 4);
      expect(codeOf(() => consume(message))).toBe('ok');
    });
  });

  describe('tampering past mac1 (mac1 recomputed by an attacker who knows the public key)', () => {
    const codes =
      (pair: Pair, message: Uint8Array, consume: (m: Uint8Array) => Result<object>, mac1Key: Uint8Array) =>
      (start: number, end: number) => {
        const seen = new Set<string>();
        for (let offset = start; offset < end; offset++)
          seen.add(String(codeOf(() => consume(remac1(pair.backend, mac1Key, flip(message, offset))))));
        return [...seen];
      };

    it('initiation: ephemeral, static and timestamp are authenticated; the sender index is not', () => {
      const { message, consume, pair } = makeInitiation(backend);
      const run = codes(pair, message, consume, pair.responder.derived.mac1Key);
      expect(run(8, 40)).toEqual(['DECRYPT_FAILED']);
      expect(run(40, 88)).toEqual(['DECRYPT_FAILED']);
      expect(run(88, 116)).toEqual(['DECRYPT_FAILED']);
      // The sender index is only under mac1 (as in WireGuard): a changed index is taken as is.
      const forged = remac1(backend, pair.responder.derived.mac1Key, flip(message, 4));
      const result = consume(forged);
      expect(result.ok).toBe(true);
      if (result.ok)
        expect((result as { remoteIndex: number }).remoteIndex).toBe((INITIATOR_INDEX ^ 1) >>> 0);
    });

    it('response: ephemeral and empty are authenticated, receiver must match, sender is not authenticated', () => {
      const { message, consume, pair } = makeResponse(backend);
      const run = codes(pair, message, consume, pair.initiator.derived.mac1Key);
      expect(run(12, 44)).toEqual(['DECRYPT_FAILED']);
      expect(run(44, 60)).toEqual(['DECRYPT_FAILED']);
      expect(run(8, 12)).toEqual(['UNKNOWN_INDEX']);
      const result = consume(remac1(backend, pair.initiator.derived.mac1Key, flip(message, 4)));
      expect(result.ok).toBe(true);
      if (result.ok)
        expect((result as { keys: { remoteIndex: number } }).keys.remoteIndex).toBe(
          (RESPONDER_INDEX ^ 1) >>> 0,
        );
    });
  });

  it('a forged response does not kill the in-flight initiation: the genuine response still completes', () => {
    const pair = makePair(backend);
    const initiation = initiate(pair, 1);
    expect(consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now: 0 }).ok).toBe(
      true,
    );
    const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: 0 });
    if (!response.ok) throw response.error;
    const consume = (m: Uint8Array) =>
      consumeResponse(pair.initiator, m, { lookupIndex: pair.lookupIndex, now: 0 });
    const mac1Key = pair.initiator.derived.mac1Key;
    const forgeries = [
      flip(response.message, 20), // bad mac1
      remac1(backend, mac1Key, flip(response.message, 20)), // bad ephemeral
      remac1(backend, mac1Key, flip(response.message, 50)), // bad empty tag
      response.message.subarray(0, 91), // truncated
      remac1(backend, mac1Key, Uint8Array.from(response.message).fill(0x42, 12, 44)), // someone else's ephemeral
    ];
    for (const forged of forgeries) {
      expect(codeOf(() => consume(forged))).not.toBe('ok');
      expect(pair.atInitiator.state.kind).toBe('initiation-created');
    }
    const done = consume(response.message);
    if (!done.ok) throw done.error;
    expect(bytesToHex(done.keys.sendKey)).toBe(bytesToHex(response.keys.receiveKey));
  });

  it('a cookie reply that fails leaves no cookie behind; one for a peer that sent nothing is WRONG_STATE', () => {
    const { message, consume, pair } = makeCookieReply(backend);
    for (const offset of [4, 10, 40, 63]) expect(codeOf(() => consume(flip(message, offset)))).not.toBe('ok');
    expect(pair.atInitiator.cookie).toBeUndefined();
    pair.atInitiator.lastSentMac1 = undefined;
    expect(codeOf(() => consume(message))).toBe('WRONG_STATE');
  });

  it('random garbage of random lengths never throws and is never accepted', () => {
    const pair = makePair(backend);
    initiate(pair, 1); // an initiation in flight, so the index lookups find a peer
    const checker = new CookieChecker(pair.responder);
    const random = prng(0x5eed);
    const lengths = [0, 1, 3, 4, 35, 36, 63, 64, 65, 91, 92, 93, 147, 148, 149, 1500];
    for (let round = 0; round < 600; round++) {
      const length = round < lengths.length ? lengths[round]! : random.int(300);
      const garbage = random.bytes(length);
      // Half the time with a valid header, to get past the type check.
      if (round % 2 === 1 && length >= 8) {
        garbage.set([1 + random.int(3), 0, 0, 0]);
        garbage.set([0x44, 0x33, 0x22, 0x11], 4); // INITIATOR_INDEX, little-endian: known to lookupIndex
      }
      const context = `round ${round}, length ${length}`;
      expect(
        codeOf(() => consumeInitiation(pair.responder, garbage, { lookupPeer: pair.lookupPeer, now: 0 })),
        context,
      ).not.toBe('ok');
      expect(
        codeOf(() => consumeResponse(pair.initiator, garbage, { lookupIndex: pair.lookupIndex, now: 0 })),
        context,
      ).not.toBe('ok');
      expect(
        codeOf(() => consumeCookieReply(garbage, { lookupIndex: pair.lookupIndex, now: 0 })),
        context,
      ).not.toBe('ok');
      expect(() => messageType(garbage)).not.toThrow();
      let verified: boolean | undefined;
      expect(() => {
        verified = checker.verifyMac2(garbage, SOURCE, 0);
      }).not.toThrow();
      expect(verified).toBe(false);
    }
    expect(pair.atInitiator.cookie).toBeUndefined();
    expect(pair.atInitiator.state.kind).toBe('initiation-created');
  });

  it('random bodies of exactly the right length and type are BAD_MAC1 / DECRYPT_FAILED, never thrown', () => {
    const pair = makePair(backend);
    initiate(pair, 1);
    const random = prng(0xbadc0de);
    const consumers: [number, number, (m: Uint8Array) => Result<object>, HandshakeErrorCode][] = [
      [
        1,
        INITIATION_LENGTH,
        (m) => consumeInitiation(pair.responder, m, { lookupPeer: pair.lookupPeer, now: 0 }),
        'BAD_MAC1',
      ],
      [
        2,
        RESPONSE_LENGTH,
        (m) => consumeResponse(pair.initiator, m, { lookupIndex: pair.lookupIndex, now: 0 }),
        'BAD_MAC1',
      ],
      [
        3,
        COOKIE_REPLY_LENGTH,
        (m) => consumeCookieReply(m, { lookupIndex: pair.lookupIndex, now: 0 }),
        'DECRYPT_FAILED',
      ],
    ];
    for (const [type, length, consume, expected] of consumers) {
      for (let round = 0; round < 100; round++) {
        const garbage = random.bytes(length);
        garbage.set([type, 0, 0, 0, 0x44, 0x33, 0x22, 0x11]);
        expect(
          codeOf(() => consume(garbage)),
          `type ${type} round ${round}`,
        ).toBe(expected);
      }
    }
  });
});
