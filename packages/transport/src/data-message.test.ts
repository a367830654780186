import { bytesToHex, type CryptoBackend, isAllZero, nobleBackend } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  isDataMessage,
  KEEPALIVE_LENGTH,
  Keypair,
  type MessageLimits,
  openData,
  openStale,
  paddedLength,
  REJECT_AFTER_MESSAGES,
  REPLAY_WINDOW_SIZE,
  readCounter,
  readReceiverIndex,
  sealData,
  sealedLength,
} from './index.js';

const backends: readonly CryptoBackend[] = [nobleBackend, nodeBackend];

/** xorshift32: deterministic packets, so a failure replays. */
function prng(seed: number): (length: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (length) =>
    Uint8Array.from({ length }, () => {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state & 255;
    });
}

const A_INDEX = 0x01020304;
const B_INDEX = 0xfedcba98;

/** Two ends of one session: `a` sends with key1 and receives with key2, `b` the other way round. */
function session(backend: CryptoBackend, limits?: MessageLimits, keys?: [Uint8Array, Uint8Array]) {
  const [k1, k2] = keys ?? [backend.generateSecretKey(), backend.generateSecretKey()];
  const a = new Keypair(
    {
      sendKey: Uint8Array.from(k1),
      receiveKey: Uint8Array.from(k2),
      localIndex: A_INDEX,
      remoteIndex: B_INDEX,
      isInitiator: true,
    },
    0,
    limits,
  );
  const b = new Keypair(
    {
      sendKey: Uint8Array.from(k2),
      receiveKey: Uint8Array.from(k1),
      localIndex: B_INDEX,
      remoteIndex: A_INDEX,
      isInitiator: false,
    },
    0,
    limits,
  );
  return { a, b, keys: [k1, k2] as [Uint8Array, Uint8Array] };
}

function seal(backend: CryptoBackend, keypair: Keypair, packet: Uint8Array, mtu?: number): Uint8Array {
  const out = new Uint8Array(sealedLength(packet.length, mtu) + 5); // a little slack on purpose
  const length = sealData(backend, keypair, packet, out, mtu);
  expect(length).toBeGreaterThan(0);
  return out.subarray(0, length);
}

function open(
  backend: CryptoBackend,
  keypair: Keypair,
  message: Uint8Array,
): { result: number; plain: Uint8Array } {
  const plain = new Uint8Array(Math.max(0, message.length));
  let result = Number.NaN;
  expect(() => {
    result = openData(backend, keypair, message, plain);
  }).not.toThrow();
  return { result, plain: plain.subarray(0, Math.max(0, result)) };
}

describe('paddedLength and sealedLength', () => {
  it('pads to a multiple of 16 without an MTU', () => {
    const expected = [0, 16, 16, 16, 32, 32, 48, 1424, 1424, 1440];
    const lengths = [0, 1, 15, 16, 17, 32, 33, 1409, 1420, 1425];
    expect(lengths.map((n) => paddedLength(n))).toEqual(expected);
    for (let n = 0; n < 2000; n++) {
      const padded = paddedLength(n);
      expect(padded % 16).toBe(0);
      expect(padded - n).toBeGreaterThanOrEqual(0);
      expect(padded - n).toBeLessThan(16);
    }
  });

  it('caps the padding at the MTU (min(ALIGN(len, 16), mtu), as Linux and wireguard-go)', () => {
    expect(paddedLength(1420, 1420)).toBe(1420);
    expect(paddedLength(1400, 1420)).toBe(1408);
    expect(paddedLength(1408, 1420)).toBe(1408);
    // 1409..1419 would pad to 1424 > 1420: padded to the MTU instead (calculate_skb_padding in
    // drivers/net/wireguard/send.c, calculatePaddingSize in wireguard-go device/send.go).
    for (let n = 1409; n <= 1420; n++) expect(paddedLength(n, 1420), `length ${n}`).toBe(1420);
    expect(paddedLength(0, 1420)).toBe(0);
    expect(paddedLength(1, 1420)).toBe(16);
    for (let n = 0; n <= 1280; n++) {
      const padded = paddedLength(n, 1280);
      expect(padded).toBeLessThanOrEqual(1280);
      expect(padded).toBeGreaterThanOrEqual(n);
    }
  });

  it('a sealed message is header + padded + tag; a keepalive is 32 bytes', () => {
    expect(KEEPALIVE_LENGTH).toBe(32);
    expect(sealedLength(0)).toBe(32);
    expect(sealedLength(1)).toBe(48);
    expect(sealedLength(1420, 1420)).toBe(1452);
  });
});

describe.each(backends)('data messages on the $name backend', (backend) => {
  it('round-trips every length 0..100 and 1420 (opened length == paddedLength, padding is zeros)', () => {
    const { a, b } = session(backend);
    const random = prng(42);
    for (const length of [...Array.from({ length: 101 }, (_, i) => i), 1420]) {
      const packet = random(length);
      const message = seal(backend, a, packet);
      expect(message.length).toBe(16 + paddedLength(length) + 16);
      expect(isDataMessage(message)).toBe(true);
      expect(readReceiverIndex(message)).toBe(B_INDEX);
      expect(readCounter(message)).toBe(a.sendCounter - 1);
      const { result, plain } = open(backend, b, message);
      expect(result, `length ${length}`).toBe(paddedLength(length));
      expect(bytesToHex(plain.subarray(0, length))).toBe(bytesToHex(packet));
      expect(isAllZero(plain.subarray(length))).toBe(true);
    }
    expect(a.sendCounter).toBe(102);
    expect(b.replay.greatestCounter).toBe(101);
  });

  it('round-trips with an MTU: the padding stops at the MTU', () => {
    const { a, b } = session(backend);
    const random = prng(7);
    for (const length of [0, 1, 1400, 1410, 1419, 1420]) {
      const packet = random(length);
      const message = seal(backend, a, packet, 1420);
      expect(message.length).toBe(16 + paddedLength(length, 1420) + 16);
      expect(message.length).toBeLessThanOrEqual(16 + 1420 + 16);
      const { result, plain } = open(backend, b, message);
      expect(result).toBe(paddedLength(length, 1420));
      expect(bytesToHex(plain.subarray(0, length))).toBe(bytesToHex(packet));
    }
  });

  it('a keepalive is 32 bytes and opens to length 0', () => {
    const { a, b } = session(backend);
    const message = seal(backend, a, new Uint8Array(0));
    expect(message).toHaveLength(32);
    expect(open(backend, b, message).result).toBe(0);
  });

  it('both directions work and use separate keys and counters', () => {
    const { a, b } = session(backend);
    const toB = seal(backend, a, Uint8Array.of(1, 2, 3));
    const toA = seal(backend, b, Uint8Array.of(1, 2, 3));
    expect(readReceiverIndex(toA)).toBe(A_INDEX);
    expect(bytesToHex(toA.subarray(16))).not.toBe(bytesToHex(toB.subarray(16)));
    expect(open(backend, a, toA).result).toBe(16);
    expect(open(backend, b, toB).result).toBe(16);
    // A message is not accepted by the side that sent it (wrong key).
    const again = seal(backend, a, Uint8Array.of(9));
    expect(open(backend, a, again).result).toBe(DataError.AUTHENTICATION);
  });

  describe('tampering', () => {
    const packet = Uint8Array.from({ length: 40 }, (_, i) => i);

    it('any flipped bit in the ciphertext or the tag is AUTHENTICATION, and does not burn the counter', () => {
      const { a, b } = session(backend);
      const message = seal(backend, a, packet);
      for (let offset = 16; offset < message.length; offset++) {
        for (const mask of [0x01, 0x80]) {
          const tampered = Uint8Array.from(message);
          tampered[offset]! ^= mask;
          expect(open(backend, b, tampered).result, `byte ${offset}`).toBe(DataError.AUTHENTICATION);
        }
      }
      // Nothing was recorded: the genuine message still opens, once.
      expect(open(backend, b, message).result).toBe(48);
      expect(open(backend, b, message).result).toBe(DataError.REPLAY);
    });

    it('the type bytes are MALFORMED; a changed counter is AUTHENTICATION (the nonce changes) or COUNTER_LIMIT', () => {
      const { a, b } = session(backend);
      const message = seal(backend, a, packet);
      for (let offset = 0; offset < 4; offset++) {
        const tampered = Uint8Array.from(message);
        tampered[offset]! ^= 1;
        expect(open(backend, b, tampered).result, `byte ${offset}`).toBe(DataError.MALFORMED);
      }
      // Counter bytes 8..14: a different nonce, so the tag fails.
      for (let offset = 8; offset < 15; offset++) {
        const tampered = Uint8Array.from(message);
        tampered[offset]! ^= 1;
        expect(open(backend, b, tampered).result, `byte ${offset}`).toBe(DataError.AUTHENTICATION);
      }
      // Byte 15 ^ 1 makes the counter 2^56: beyond 2^53, refused before decryption.
      const huge = Uint8Array.from(message);
      huge[15]! ^= 1;
      expect(readCounter(huge)).toBe(Number.POSITIVE_INFINITY);
      expect(open(backend, b, huge).result).toBe(DataError.COUNTER_LIMIT);
      expect(open(backend, b, message).result).toBe(48);
    });

    it('the receiver index is not authenticated: openData ignores it (routing by index is the caller’s job)', () => {
      const { a, b } = session(backend);
      for (let offset = 4; offset < 8; offset++) {
        const tampered = seal(backend, a, packet);
        tampered[offset]! ^= 0xff;
        expect(readReceiverIndex(tampered)).not.toBe(B_INDEX);
        // The AEAD has no associated data: the index is outside the tag, so the message opens.
        expect(open(backend, b, tampered).result, `byte ${offset}`).toBe(48);
      }
    });

    it('a wrong type, a short message and small buffers are rejected without touching the state', () => {
      const { a, b } = session(backend);
      const message = seal(backend, a, packet);
      for (const type of [0, 1, 2, 3, 5, 255]) {
        const tampered = Uint8Array.from(message);
        tampered[0] = type;
        expect(open(backend, b, tampered).result).toBe(DataError.MALFORMED);
      }
      for (let length = 0; length < 32; length++) {
        expect(open(backend, b, message.subarray(0, length)).result, `length ${length}`).toBe(
          DataError.MALFORMED,
        );
      }
      expect(openData(backend, b, message, new Uint8Array(47))).toBe(DataError.BUFFER_TOO_SMALL);
      // Truncated (but still >= 32 bytes): the tag is now elsewhere.
      expect(open(backend, b, message.subarray(0, 40)).result).toBe(DataError.AUTHENTICATION);
      const counter = a.sendCounter;
      expect(sealData(backend, a, packet, new Uint8Array(sealedLength(packet.length) - 1))).toBe(
        DataError.BUFFER_TOO_SMALL,
      );
      expect(a.sendCounter).toBe(counter);
      expect(open(backend, b, message).result).toBe(48);
    });
  });

  describe('replay protection through openData', () => {
    it('the same message twice is REPLAY', () => {
      const { a, b } = session(backend);
      const message = seal(backend, a, Uint8Array.of(1));
      expect(open(backend, b, message).result).toBe(16);
      expect(open(backend, b, message).result).toBe(DataError.REPLAY);
      expect(open(backend, b, message).result).toBe(DataError.REPLAY);
    });

    it('reordered messages within the window are accepted once each', () => {
      const { a, b } = session(backend);
      const messages = Array.from({ length: 200 }, (_, i) => seal(backend, a, Uint8Array.of(i)));
      const order = [...messages.keys()].reverse();
      order.push(...order.splice(0, 50)); // 149..0 then 199..150
      for (const i of order) expect(open(backend, b, messages[i]!).result, `message ${i}`).toBe(16);
      for (const i of order) expect(open(backend, b, messages[i]!).result).toBe(DataError.REPLAY);
    });

    it(`a counter more than ${REPLAY_WINDOW_SIZE} behind the greatest is REPLAY, exactly ${REPLAY_WINDOW_SIZE} behind is accepted`, () => {
      const { a, b } = session(backend);
      const zero = seal(backend, a, Uint8Array.of(0));
      const one = seal(backend, a, Uint8Array.of(1));
      a.sendCounter = REPLAY_WINDOW_SIZE + 1;
      const far = seal(backend, a, Uint8Array.of(2));
      expect(readCounter(far)).toBe(8129);
      expect(open(backend, b, far).result).toBe(16);
      // 0 + 8128 < 8129: too old.
      expect(open(backend, b, zero).result).toBe(DataError.REPLAY);
      // 1 + 8128 == 8129: still inside the window.
      expect(open(backend, b, one).result).toBe(16);
    });

    it('openStale opens only a message behind the window, without recording it; a forgery still fails', () => {
      const { a, b } = session(backend);
      const zero = seal(backend, a, Uint8Array.of(7));
      a.sendCounter = REPLAY_WINDOW_SIZE + 1;
      const far = seal(backend, a, Uint8Array.of(2));
      const inside = seal(backend, a, Uint8Array.of(3));
      const plain = new Uint8Array(64);
      // Nothing received yet: counter 0 is not behind anything.
      expect(openStale(backend, b, zero, plain)).toBe(DataError.REPLAY);
      expect(open(backend, b, far).result).toBe(16);
      expect(openStale(backend, b, zero, plain)).toBe(16);
      expect(plain[0]).toBe(7);
      expect(openStale(backend, b, zero, plain)).toBe(16); // not recorded: replay protection is the caller's
      expect(openStale(backend, b, inside, plain)).toBe(DataError.REPLAY); // inside the window: openData's job
      const forged = zero.slice();
      forged[20]! ^= 1;
      expect(openStale(backend, b, forged, plain)).toBe(DataError.AUTHENTICATION);
      expect(openStale(backend, b, zero.subarray(0, 20), plain)).toBe(DataError.MALFORMED);
    });
  });

  describe('message limits', () => {
    it('with limits {rekey 5, reject 8}: wantsRekey from 5 sent, COUNTER_LIMIT at counter 8', () => {
      const limits = { rekeyAfterMessages: 5, rejectAfterMessages: 8 };
      const { a, b } = session(backend, limits);
      const messages: Uint8Array[] = [];
      for (let i = 0; i < 8; i++) {
        expect(a.wantsRekey, `before message ${i}`).toBe(i >= 5);
        expect(a.sendExhausted).toBe(false);
        messages.push(seal(backend, a, Uint8Array.of(i)));
      }
      expect(a.wantsRekey).toBe(true);
      expect(a.sendExhausted).toBe(true);
      const out = new Uint8Array(64);
      expect(sealData(backend, a, Uint8Array.of(8), out)).toBe(DataError.COUNTER_LIMIT);
      expect(sealData(backend, a, Uint8Array.of(8), out)).toBe(DataError.COUNTER_LIMIT);
      expect(isAllZero(out)).toBe(true);
      expect(a.sendCounter).toBe(8);
      for (const message of messages) expect(open(backend, b, message).result).toBe(16);
      // A receiver with the same limits refuses counter 8 even from a sender that has no limits.
      const unlimited = new Keypair(
        {
          sendKey: a.sendKey,
          receiveKey: a.receiveKey,
          localIndex: A_INDEX,
          remoteIndex: B_INDEX,
          isInitiator: true,
        },
        0,
      );
      unlimited.sendCounter = 8;
      expect(open(backend, b, seal(backend, unlimited, Uint8Array.of(8))).result).toBe(
        DataError.COUNTER_LIMIT,
      );
    });

    it('counters past 2^32 are written little-endian and open on the other side', () => {
      const { a, b } = session(backend);
      a.sendCounter = 2 ** 32 + 5;
      const message = seal(backend, a, Uint8Array.of(1));
      expect(bytesToHex(message.subarray(8, 16))).toBe('0500000001000000');
      expect(readCounter(message)).toBe(2 ** 32 + 5);
      expect(open(backend, b, message).result).toBe(16);
    });

    it('the default limit is exact at 2^53: the last counters seal and open, the next is COUNTER_LIMIT', () => {
      const { a, b } = session(backend);
      expect(REJECT_AFTER_MESSAGES).toBe(Number.MAX_SAFE_INTEGER - 1);
      a.sendCounter = REJECT_AFTER_MESSAGES - 1;
      const last = seal(backend, a, Uint8Array.of(1));
      expect(readCounter(last)).toBe(REJECT_AFTER_MESSAGES - 1);
      expect(bytesToHex(last.subarray(8, 16))).toBe('fdffffffffff1f00');
      expect(open(backend, b, last).result).toBe(16);
      expect(sealData(backend, a, Uint8Array.of(1), new Uint8Array(64))).toBe(DataError.COUNTER_LIMIT);
      // A message claiming counter 2^53 - 1 is refused before decryption.
      const forged = Uint8Array.from(last);
      forged[8] = 0xfe;
      expect(readCounter(forged)).toBe(REJECT_AFTER_MESSAGES);
      expect(open(backend, b, forged).result).toBe(DataError.COUNTER_LIMIT);
    });
  });

  it('sealing in place (packet already at out[16..]) gives the same bytes as out of place', () => {
    const keys: [Uint8Array, Uint8Array] = [backend.generateSecretKey(), backend.generateSecretKey()];
    const random = prng(99);
    for (const length of [0, 1, 15, 16, 17, 100, 1420]) {
      const packet = random(length);
      const one = session(backend, undefined, keys);
      const two = session(backend, undefined, keys);
      const outOfPlace = seal(backend, one.a, packet);
      const buffer = new Uint8Array(sealedLength(length));
      buffer.fill(0xaa); // garbage where the padding goes
      buffer.set(packet, 16);
      const inPlace = sealData(backend, two.a, buffer.subarray(16, 16 + length), buffer);
      expect(inPlace).toBe(outOfPlace.length);
      expect(bytesToHex(buffer), `length ${length}`).toBe(bytesToHex(outOfPlace));
      expect(open(backend, one.b, buffer).result).toBe(paddedLength(length));
    }
  });

  it('wipe() zeroes both keys and stops sending', () => {
    const { a, b } = session(backend);
    const message = seal(backend, a, Uint8Array.of(1));
    const second = seal(backend, a, Uint8Array.of(2));
    const sendKey = a.sendKey;
    const receiveKey = a.receiveKey;
    expect(isAllZero(sendKey)).toBe(false);
    a.wipe();
    expect(isAllZero(sendKey)).toBe(true);
    expect(isAllZero(receiveKey)).toBe(true);
    expect(a.sendExhausted).toBe(true);
    expect(sealData(backend, a, Uint8Array.of(1), new Uint8Array(64))).toBe(DataError.COUNTER_LIMIT);
    // The other side is unaffected; a message to the wiped side no longer authenticates.
    expect(open(backend, b, message).result).toBe(16);
    b.wipe();
    expect(isAllZero(b.receiveKey)).toBe(true);
    expect(isAllZero(b.sendKey)).toBe(true);
    expect(open(backend, b, second).result).toBe(DataError.AUTHENTICATION);
  });
});

describe('the two backends produce identical data messages', () => {
  it('bytes sealed by noble open with node and vice versa, and are byte-identical', () => {
    const keys: [Uint8Array, Uint8Array] = [
      nobleBackend.generateSecretKey(),
      nobleBackend.generateSecretKey(),
    ];
    const noble = session(nobleBackend, undefined, keys);
    const node = session(nodeBackend, undefined, keys);
    const random = prng(1234);
    for (const length of [0, 1, 16, 33, 100, 1420]) {
      for (const counter of [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, REJECT_AFTER_MESSAGES - 1]) {
        const packet = random(length);
        noble.a.sendCounter = counter;
        node.a.sendCounter = counter;
        const byNoble = seal(nobleBackend, noble.a, packet);
        const byNode = seal(nodeBackend, node.a, packet);
        expect(bytesToHex(byNode), `length ${length} counter ${counter}`).toBe(bytesToHex(byNoble));
        // Cross-open: fresh receivers, since each side records the counter.
        const nodeReceiver = session(nodeBackend, undefined, keys).b;
        const nobleReceiver = session(nobleBackend, undefined, keys).b;
        const openedByNode = open(nodeBackend, nodeReceiver, byNoble);
        const openedByNoble = open(nobleBackend, nobleReceiver, byNode);
        expect(openedByNode.result).toBe(paddedLength(length));
        expect(openedByNoble.result).toBe(paddedLength(length));
        expect(bytesToHex(openedByNode.plain.subarray(0, length))).toBe(bytesToHex(packet));
        expect(bytesToHex(openedByNoble.plain.subarray(0, length))).toBe(bytesToHex(packet));
      }
    }
  });
});
